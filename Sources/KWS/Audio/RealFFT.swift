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
        // Raw pointers for the butterflies: indexing a class's arrays would
        // pay a uniqueness and exclusivity check on every access.
        real.withUnsafeMutableBufferPointer { re in
            imaginary.withUnsafeMutableBufferPointer { im in
                cosines.withUnsafeBufferPointer { cos in
                    sines.withUnsafeBufferPointer { sin in
                        reversed.withUnsafeBufferPointer { rev in
                            for i in 0..<n {
                                let source = rev[i]
                                re[i] = source < signal.count ? signal[source] : 0
                                im[i] = 0
                            }
                            var half = 1
                            while half < n {
                                let step = n / (2 * half)
                                var start = 0
                                while start < n {
                                    for k in 0..<half {
                                        let c = cos[k * step], s = sin[k * step]
                                        let a = start + k, b = a + half
                                        let tr = re[b] * c - im[b] * s
                                        let ti = re[b] * s + im[b] * c
                                        re[b] = re[a] - tr
                                        im[b] = im[a] - ti
                                        re[a] += tr
                                        im[a] += ti
                                    }
                                    start += 2 * half
                                }
                                half *= 2
                            }
                            for k in 0...(n / 2) where k < out.count {
                                out[k] = (re[k] * re[k] + im[k] * im[k]).squareRoot()
                            }
                        }
                    }
                }
            }
        }
    }
}
