import Foundation
import Testing
@testable import Firmware

@Suite("Sliding window")
struct SlidingWindowTests {
    /// A source that counts: sample k is Float(k), delivered `chunk` at a time.
    final class Counter: AudioSource {
        let name = "counter"
        let sampleRateHertz = 16_000
        let total: Int
        let chunk: Int
        var next = 0
        init(total: Int, chunk: Int) { self.total = total; self.chunk = chunk }
        func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
            let n = min(buffer.count, chunk, total - next)
            for k in 0..<n { buffer[k] = Float(next + k) }
            next += n
            return n
        }
        func close() {}
    }

    @Test(arguments: [1, 7, 100, 4000])
    func windowsComeEveryHopHoldingTheNewestSamplesInOrder(chunk: Int) throws {
        // 1 s windows every 250 ms, fed in chunks of any size.
        let window = SlidingWindow(windowSamples: 16_000, hopSamples: 4_000)
        let source = Counter(total: 30_000, chunk: chunk)
        var ends: [Int] = []
        while try window.fill(from: source) > 0 {
            guard let w = window.takeWindow() else { continue }
            let end = window.windowEndSample
            ends.append(end)
            #expect(w.count == 16_000)
            #expect(w.first == Float(end - 16_000) && w.last == Float(end - 1))
            #expect(zip(w, w.dropFirst()).allSatisfy { $1 == $0 + 1 })
            #expect(window.windowEndSeconds == Double(end) / 16_000)
        }
        #expect(ends == [16_000, 20_000, 24_000, 28_000])
        #expect(window.samplesConsumed == 30_000)
    }

    @Test func appendTakesOnlyWhatTheNextWindowNeeds() {
        let window = SlidingWindow(windowSamples: 8, hopSamples: 3)
        let input = (0..<20).map(Float.init)
        var taken = 0
        var windows: [[Float]] = []
        input.withUnsafeBufferPointer { all in
            while taken < all.count {
                taken += window.append(UnsafeBufferPointer(rebasing: all[taken...]))
                if let w = window.takeWindow() { windows.append(Array(w)) }
            }
        }
        let starts = [0, 3, 6, 9, 12]
        let expected: [[Float]] = starts.map { start in (start..<(start + 8)).map { Float($0) } }
        #expect(windows == expected)
        #expect(window.takeWindow() == nil)
    }

    @Test func samplesArrivingBeforeAWindowIsTakenDoNotOverwriteIt() {
        let window = SlidingWindow(windowSamples: 8, hopSamples: 3)
        let input = (0..<13).map(Float.init)
        input.withUnsafeBufferPointer { all in
            #expect(window.append(UnsafeBufferPointer(rebasing: all[0..<8])) == 8)
            #expect(window.append(UnsafeBufferPointer(rebasing: all[8..<10])) == 2)  // not yet the next window
            #expect(window.takeWindow().map(Array.init) == (0..<8).map(Float.init))
            // Two windows complete without being taken: the newer one is what comes out.
            #expect(window.append(UnsafeBufferPointer(rebasing: all[10..<13])) == 1)
            #expect(window.append(UnsafeBufferPointer(rebasing: all[11..<13])) == 2)
        }
        let more = (13..<14).map(Float.init)
        more.withUnsafeBufferPointer { _ = window.append($0) }
        #expect(window.windowEndSample == 14)
        #expect(window.takeWindow().map(Array.init) == (6..<14).map(Float.init))
    }

    @Test func noWindowBeforeTheFirstIsComplete() {
        let window = SlidingWindow(windowSamples: 10, hopSamples: 5)
        let nine = [Float](repeating: 1, count: 9)
        nine.withUnsafeBufferPointer { _ = window.append($0) }
        #expect(!window.hasWindow && window.takeWindow() == nil && !window.isFull)
        #expect(window.samplesNeeded == 1)
    }

    @Test func advanceReadsOneHopAndStopsAtTheEndOfTheStream() throws {
        let window = SlidingWindow(windowSamples: 16_000, hopSamples: 4_000)
        let source = Counter(total: 26_000, chunk: 1_000)
        #expect(try window.advance(from: source))
        #expect(window.endSeconds == 1.0 && window.samples.last == 15_999)
        #expect(try window.advance(from: source))
        #expect(window.endSeconds == 1.25 && window.samples.first == 4_000)
        #expect(try window.advance(from: source))
        // 2 000 samples left: less than a hop.
        #expect(try !window.advance(from: source))
        #expect(window.endSeconds == 1.5)
    }

    @Test func aHopLongerThanTheWindowIsClampedSoNoAudioIsSkipped() throws {
        let window = SlidingWindow(windowSamples: 100, hopSamples: 1_000)
        #expect(window.hopSamples == 100)
        let source = Counter(total: 250, chunk: 64)
        #expect(try window.advance(from: source) && window.samples.first == 0)
        #expect(try window.advance(from: source) && window.samples.first == 100)
        #expect(try !window.advance(from: source))
    }
}
