import RealModule

/// Audio to the GRU's input: MFCC frames, as shared/reference/kws.md
/// recommends for a GRU keyword spotter: 16 kHz mono; 640-sample periodic
/// Hann window, 320-sample hop (49 frames per second of audio); 1024-point
/// FFT magnitude; 40 triangular mel filters (HTK mel scale, unnormalised
/// triangles) from 20 to 4000 Hz; log(x + 1e-6); orthonormal DCT-II, first
/// 10 coefficients. tools/kws/frontend.py is the same definition in numpy.
public final class MFCCFrontend {
    public struct Settings: Sendable, Hashable {
        public var sampleRateHertz = 16_000
        public var windowLength = 640
        public var hopLength = 320
        public var fftLength = 1024
        public var melBands = 40
        public var lowHertz = 20.0
        public var highHertz = 4000.0
        public var coefficients = 10
        public var logFloor: Float = 1e-6

        public init() {}
    }

    public let settings: Settings
    private let window: [Float]
    /// Per mel band: first FFT bin and its weights.
    private let filters: [(first: Int, weights: [Float])]
    /// Row-major coefficients x bands.
    private let dct: [Float]
    private let fft: RealFFT
    private var frame: [Float]
    private var spectrum: [Float]
    private var logMel: [Float]

    public init(settings: Settings = Settings()) throws(FrontendError) {
        let s = settings
        guard s.windowLength > 0, s.hopLength > 0, s.windowLength <= s.fftLength,
              s.coefficients >= 1, s.coefficients <= s.melBands, s.lowHertz >= 0, s.highHertz > s.lowHertz,
              s.highHertz <= Double(s.sampleRateHertz) / 2, let fft = RealFFT(length: s.fftLength) else {
            throw FrontendError(message: "frontend settings \(s) are inconsistent: need window ≤ FFT (a power of two), hop > 0, coefficients ≤ mel bands, low < high ≤ Nyquist")
        }
        self.settings = s
        self.fft = fft
        window = (0..<s.windowLength).map { n in Float(0.5 - 0.5 * Double.cos(2 * Double.pi * Double(n) / Double(s.windowLength))) }
        filters = Self.melFilters(s)
        let m = s.melBands
        var table = [Float](repeating: 0, count: s.coefficients * m)
        for i in 0..<s.coefficients {
            let scale = i == 0 ? (1 / Double(m)).squareRoot() : (2 / Double(m)).squareRoot()
            for j in 0..<m {
                table[i * m + j] = Float(scale * Double.cos(Double.pi * Double(i) * (Double(j) + 0.5) / Double(m)))
            }
        }
        dct = table
        frame = [Float](repeating: 0, count: s.windowLength)
        spectrum = [Float](repeating: 0, count: s.fftLength / 2 + 1)
        logMel = [Float](repeating: 0, count: m)
    }

    static func hertzToMel(_ f: Double) -> Double { 2595 * Double.log10(1 + f / 700) }
    static func melToHertz(_ m: Double) -> Double { 700 * (Double.pow(10, m / 2595) - 1) }

    static func melFilters(_ s: Settings) -> [(first: Int, weights: [Float])] {
        let low = hertzToMel(s.lowHertz), high = hertzToMel(s.highHertz)
        let edges = (0...(s.melBands + 1)).map { melToHertz(low + (high - low) * Double($0) / Double(s.melBands + 1)) }
        let binHertz = Double(s.sampleRateHertz) / Double(s.fftLength)
        return (0..<s.melBands).map { m in
            let left = edges[m], centre = edges[m + 1], right = edges[m + 2]
            var first = -1
            var weights: [Float] = []
            for k in 0...(s.fftLength / 2) {
                let f = Double(k) * binHertz
                let w = f <= left || f >= right ? 0 : f <= centre ? (f - left) / (centre - left) : (right - f) / (right - centre)
                if w > 0 {
                    if first < 0 { first = k }
                    weights.append(Float(w))
                } else if first >= 0 {
                    break
                }
            }
            return (max(first, 0), weights)
        }
    }

    /// Frames a clip of `sampleCount` samples gives (49 for one second).
    public func frameCount(sampleCount: Int) -> Int {
        sampleCount < settings.windowLength ? 0 : 1 + (sampleCount - settings.windowLength) / settings.hopLength
    }

    /// MFCCs of `samples`, row-major frames x coefficients, into `features`
    /// (which holds exactly frameCount x coefficients values). Allocates nothing.
    public func compute(_ samples: UnsafeBufferPointer<Float>, into features: UnsafeMutableBufferPointer<Float>) throws(FrontendError) {
        let s = settings
        let frames = frameCount(sampleCount: samples.count)
        guard features.count == frames * s.coefficients else {
            throw FrontendError(message: "\(samples.count) samples give \(frames) frames x \(s.coefficients) coefficients = \(frames * s.coefficients) values; the output holds \(features.count)")
        }
        for t in 0..<frames {
            let start = t * s.hopLength
            for n in 0..<s.windowLength { frame[n] = samples[start + n] * window[n] }
            frame.withUnsafeBufferPointer { f in
                spectrum.withUnsafeMutableBufferPointer { out in fft.magnitudes(of: f, into: out) }
            }
            for m in 0..<s.melBands {
                let filter = filters[m]
                var energy: Float = 0
                for (i, w) in filter.weights.enumerated() { energy += w * spectrum[filter.first + i] }
                logMel[m] = Float.log(energy + s.logFloor)
            }
            for i in 0..<s.coefficients {
                var c: Float = 0
                for m in 0..<s.melBands { c += dct[i * s.melBands + m] * logMel[m] }
                features[t * s.coefficients + i] = c
            }
        }
    }

    /// Array form of `compute`.
    public func features(of clip: AudioClip) throws(FrontendError) -> [Float] {
        guard clip.sampleRateHertz == settings.sampleRateHertz else {
            throw FrontendError(message: "clip at \(clip.sampleRateHertz) Hz; the frontend expects \(settings.sampleRateHertz) Hz")
        }
        var out = [Float](repeating: 0, count: frameCount(sampleCount: clip.samples.count) * settings.coefficients)
        try clip.samples.withUnsafeBufferPointer { (input) throws(FrontendError) in
            try out.withUnsafeMutableBufferPointer { (output) throws(FrontendError) in try compute(input, into: output) }
        }
        return out
    }
}

public struct FrontendError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
