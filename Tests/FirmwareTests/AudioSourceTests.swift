import Foundation
import Testing
@testable import Firmware

@Suite("Audio sources and the sliding window")
struct AudioSourceTests {
    /// A 16-bit PCM WAV of `samples` at `rate` Hz with `channels` channels.
    func wav(_ samples: [Int16], rate: Int = 16000, channels: Int = 1, in dir: URL, name: String) throws -> String {
        var d = Data()
        func u32(_ x: Int) { withUnsafeBytes(of: UInt32(x).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ x: Int) { withUnsafeBytes(of: UInt16(x).littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + samples.count * 2)
        d.append(contentsOf: Array("WAVEfmt ".utf8)); u32(16); u16(1); u16(channels); u32(rate); u32(rate * 2 * channels); u16(2 * channels); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(samples.count * 2)
        for s in samples { withUnsafeBytes(of: s.littleEndian) { d.append(contentsOf: $0) } }
        let path = dir.appendingPathComponent(name).path
        try d.write(to: URL(fileURLWithPath: path))
        return path
    }

    func readAll(_ source: any AudioSource, max: Int = 100_000) throws -> [Float] {
        var out: [Float] = []
        var buffer = [Float](repeating: 0, count: 7)
        while out.count < max {
            let n = try buffer.withUnsafeMutableBufferPointer { try source.read(into: $0) }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    @Test func aDirectoryPlaysItsFilesInNameOrder() throws {
        let dir = try Repository.temporaryDirectory()
        _ = try wav([3, 3], in: dir, name: "b.wav")
        _ = try wav([1, 1, 1], in: dir, name: "a.wav")
        try "not audio".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let samples = try readAll(try ClipSource(path: dir.path))
        #expect(samples.map { Int(($0 * 32768).rounded()) } == [1, 1, 1, 3, 3])
    }

    @Test func aLoopingFileStartsOverForever() throws {
        let dir = try Repository.temporaryDirectory()
        let path = try wav([1, 2, 3], in: dir, name: "a.wav")
        let samples = try readAll(try ClipSource(path: path, loop: true), max: 10)
        #expect(samples.prefix(10).map { Int(($0 * 32768).rounded()) } == [1, 2, 3, 1, 2, 3, 1, 2, 3, 1])
    }

    @Test func wrongRateStereoAndMissingPathsAreNamed() throws {
        let dir = try Repository.temporaryDirectory()
        let fast = try wav([1, 2], rate: 44100, in: dir, name: "fast.wav")
        #expect { try ClipSource(path: fast) } throws: { "\($0)".contains("fast.wav") && "\($0)".contains("44100") }
        let stereo = try wav([1, 2, 3, 4], channels: 2, in: dir, name: "stereo.wav")
        #expect { try ClipSource(path: stereo) } throws: { "\($0)".contains("stereo.wav") }
        #expect { try ClipSource(path: dir.appendingPathComponent("nope.wav").path) } throws: { "\($0)".contains("nope.wav") }
        let empty = try Repository.temporaryDirectory()
        #expect { try ClipSource(path: empty.path) } throws: { "\($0)".contains("no .wav files") }
    }

    @Test func withoutArecordOnThePathTheMicrophoneErrorSaysWhatToInstall() {
        #expect { try ArecordSource(device: nil, searchPath: "/nonexistent") } throws: { "\($0)".contains("alsa-utils") }
    }

    @Test func theAudioOptionNamesEachKindOfSource() throws {
        #expect(try AudioSourceSpec("-") == .standardInput)
        #expect(try AudioSourceSpec("mic") == .microphone(device: nil))
        #expect(try AudioSourceSpec("mic:hw:1,0") == .microphone(device: "hw:1,0"))
        #expect(try AudioSourceSpec("x.wav") == .files(path: "x.wav"))
        #expect(throws: AudioSourceError.self) { try AudioSourceSpec("") }
    }

    @Test func theWindowSlidesByItsHopAndKeepsTheNewestSecond() throws {
        let dir = try Repository.temporaryDirectory()
        let path = try wav((0..<40).map { Int16($0) }, in: dir, name: "ramp.wav")
        let source = try ClipSource(path: path)
        let window = SlidingWindow(windowSamples: 10, hopSamples: 5)
        var windows: [[Int]] = []
        while try window.advance(from: source) {
            if window.isFull { windows.append(window.samples.map { Int(($0 * 32768).rounded()) }) }
        }
        #expect(windows.count == 7)
        #expect(windows.first == Array(0..<10))
        #expect(windows.last == Array(30..<40))
        #expect(window.endSeconds == 40.0 / 16000)
    }
}
