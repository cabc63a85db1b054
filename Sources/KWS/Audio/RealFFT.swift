import RealModule

/// Magnitudes of the DFT of a real signal, by an iterative radix-2 complex
/// FFT of power-of-two length. Twiddles and bit reversal are computed once;
/// `magnitudes(of:into:)` allocates nothing. Checked against a direct DFT
/// and numpy's rfft in the tests.
public final class RealFFT {
    public let length: Int
    private let cosines: [Float]
    private let sines: [Float]
    private let reversed: [Int]
    private var real: [Float]
    private var imaginary: [Float]

    /// `length` must be a power of two, at least 2.
    public init?(length: Int) {
        guard length >= 2, length & (length - 1) == 0 else { return nil }
        self.length = length
        cosines = (0..<(length / 2)).map { Float(Double.cos(2 * Double.pi * Double($0) / Double(length))) }
        sines = (0..<(length / 2)).map { Float(-Double.sin(2 * Double.pi * Double($0) / Double(length))) }
        let bits = length.trailingZeroBitCount
        reversed = (0..<length).map { i in
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            return r
        }
        real = [Float](repeating: 0, count: length)
        imaginary = [Float](repeating: 0, count: length)
    }

    /// |X_k| for k = 0 … length/2 of `signal` zero-padded to `length`.
    public func magnitudes(of signal: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
        let n = length
        for i in 0..<n {
            let source = reversed[i]
            real[i] = source < signal.count ? signal[source] : 0
            imaginary[i] = 0
        }
        var half = 1
        while half < n {
            let step = n / (2 * half)
            var start = 0
            while start < n {
                for k in 0..<half {
                    let c = cosines[k * step], s = sines[k * step]
                    let a = start + k, b = a + half
                    let tr = real[b] * c - imaginary[b] * s
                    let ti = real[b] * s + imaginary[b] * c
                    real[b] = real[a] - tr
                    imaginary[b] = imaginary[a] - ti
                    real[a] += tr
                    imaginary[a] += ti
                }
                start += 2 * half
            }
            half *= 2
        }
        for k in 0...(n / 2) where k < out.count {
            out[k] = (real[k] * real[k] + imaginary[k] * imaginary[k]).squareRoot()
        }
    }
}
