import Foundation
import RealModule
import Testing
@testable import KWS

@Suite struct RealFFTTests {
    @Test func magnitudesMatchADirectDFT() throws {
        let fft = try #require(RealFFT(length: 64))
        let signal: [Float] = (0..<50).map { n in Float.sin(Float(n) * 0.7) + 0.3 * Float.cos(Float(n) * 2.1) }
        var out = [Float](repeating: 0, count: 33)
        signal.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { fft.magnitudes(of: s, into: $0) } }
        for k in 0...32 {
            var re = 0.0, im = 0.0
            for (n, x) in signal.enumerated() {
                re += Double(x) * Double.cos(2 * .pi * Double(k * n) / 64)
                im -= Double(x) * Double.sin(2 * .pi * Double(k * n) / 64)
            }
            #expect(abs(Double(out[k]) - (re * re + im * im).squareRoot()) < 1e-4, "bin \(k)")
        }
    }

    @Test func onlyPowersOfTwo() {
        #expect(RealFFT(length: 1000) == nil)
        #expect(RealFFT(length: 1024) != nil)
    }
}

@Suite struct FrontendTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)

    @Test func oneSecondGivesFortyNineFramesOfTenCoefficients() throws {
        let frontend = try MFCCFrontend()
        #expect(frontend.frameCount(sampleCount: 16_000) == 49)
        let features = try frontend.features(of: AudioClip(sampleRateHertz: 16_000, samples: [Float](repeating: 0.01, count: 16_000)))
        #expect(features.count == 490)
    }

    @Test(arguments: ["chirp", "vowel", "bursts"].flatMap { [$0 + "-pcm16.wav", $0 + "-float32.wav"] })
    func swiftAndThePythonToolAgreeWithin1e3(file: String) throws {
        let directory = try #require(Self.fixtures)
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("mfcc-reference.json")))
        let expected = try #require((reference as? [String: [[Double]]])?[file])
        let clip = try AudioFile.read(path: directory.appendingPathComponent(file).path).clip
        #expect(clip.samples.count == 16_000)
        let features = try MFCCFrontend().features(of: clip)
        #expect(expected.count == 49 && features.count == 490)
        var worst = 0.0
        for (t, row) in expected.enumerated() {
            for (i, value) in row.enumerated() { worst = max(worst, abs(Double(features[t * 10 + i]) - value)) }
        }
        #expect(worst < 1e-3, "largest difference \(worst)")
    }

    /// The hot path's loops (the DCT's coefficients summed side by side,
    /// only the bins under a filter taken from the FFT) are a speed-up,
    /// not a change: the same bits as the textbook loops, one sum at a
    /// time in the same order, over the whole spectrum.
    @Test(arguments: ["chirp-pcm16.wav", "vowel-float32.wav", "bursts-pcm16.wav"])
    func givesTheSameBitsAsTheTextbookLoops(file: String) throws {
        let directory = try #require(Self.fixtures)
        let clip = try AudioFile.read(path: directory.appendingPathComponent(file).path).clip
        let s = MFCCFrontend.Settings()
        let fft = try #require(RealFFT(length: s.fftLength))
        let filters = MFCCFrontend.melFilters(s)
        let window = (0..<s.windowLength).map { n in Float(0.5 - 0.5 * Double.cos(2 * Double.pi * Double(n) / Double(s.windowLength))) }
        var expected: [Float] = []
        var spectrum = [Float](repeating: 0, count: s.fftLength / 2 + 1)
        for t in 0..<49 {
            let frame = (0..<s.windowLength).map { clip.samples[t * s.hopLength + $0] * window[$0] }
            frame.withUnsafeBufferPointer { f in spectrum.withUnsafeMutableBufferPointer { fft.magnitudes(of: f, into: $0) } }
            let logMel = filters.map { filter in
                var energy: Float = 0
                for (i, w) in filter.weights.enumerated() { energy += w * spectrum[filter.first + i] }
                return Float.log(energy + s.logFloor)
            }
            for i in 0..<s.coefficients {
                let scale = i == 0 ? (1 / Double(s.melBands)).squareRoot() : (2 / Double(s.melBands)).squareRoot()
                var c: Float = 0
                for (m, l) in logMel.enumerated() {
                    c += Float(scale * Double.cos(Double.pi * Double(i) * (Double(m) + 0.5) / Double(s.melBands))) * l
                }
                expected.append(c)
            }
        }
        #expect(try MFCCFrontend().features(of: clip) == expected)
    }
}
