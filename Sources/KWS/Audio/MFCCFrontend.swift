import RealModule

/// Audio to the GRU's input: MFCC frames in the configuration of Hello Edge
/// (Zhang et al., arXiv 1711.07128: 40 ms frames, 20 ms stride, 10 MFCCs): 16 kHz mono; 640-sample periodic
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
    /// Per mel band: first FFT bin and its weights, flattened: band m's
    /// weights are filterWeights[filterOffset[m]..<filterOffset[m + 1]].
    private let filterStart: [Int]
    private let filterOffset: [Int]
    private let filterWeights: [Float]
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
        let filters = Self.melFilters(s)
        filterStart = filters.map(\.first)
        filterOffset = filters.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.weights.count) }
        filterWeights = filters.flatMap(\.weights)
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
        // Only the bins under a filter are ever read (up to 4 kHz of 8): the
        // FFT leaves the magnitudes of the others uncomputed.
        spectrum = [Float](repeating: 0, count: max(1, filters.map { $0.first + $0.weights.count }.max() ?? 1))
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
        let bands = s.melBands, coefficients = s.coefficients, floor = s.logFloor
        frame.withUnsafeMutableBufferPointer { frame in
            spectrum.withUnsafeMutableBufferPointer { spectrum in
                logMel.withUnsafeMutableBufferPointer { logMel in
                    window.withUnsafeBufferPointer { window in
                        dct.withUnsafeBufferPointer { dct in
                            for t in 0..<frames {
                                let start = t * s.hopLength
                                let source = samples.baseAddress! + start
                                for n in 0..<s.windowLength { frame[n] = source[n] * window[n] }
                                fft.magnitudes(of: UnsafeBufferPointer(frame), into: spectrum)
                                for m in 0..<bands {
                                    let first = filterStart[m]
                                    var energy: Float = 0
                                    for i in filterOffset[m]..<filterOffset[m + 1] {
                                        energy += filterWeights[i] * spectrum[first + i - filterOffset[m]]
                                    }
                                    logMel[m] = Float.log(energy + floor)
                                }
                                // All coefficients at once, band by band: ten
                                // independent sums in flight instead of one
                                // chain of adds, each still summed in band order.
                                let c = features.baseAddress! + t &* coefficients
                                c.update(repeating: 0, count: coefficients)
                                for m in 0..<bands {
                                    let l = logMel[m]
                                    for i in 0..<coefficients { c[i] += dct[i &* bands &+ m] * l }
                                }
                            }
                        }
                    }
                }
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
