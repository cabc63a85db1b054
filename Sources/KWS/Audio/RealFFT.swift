import CFFTW
import Foundation

/// Magnitudes of the DFT of a real signal of power-of-two length, by FFTW's
/// real-to-complex transform. The plan and its aligned buffers are made
/// once; `magnitudes(of:into:)` allocates nothing.
public final class RealFFT {
    public let length: Int
    private let plan: fftwf_plan
    private let input: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<fftwf_complex>

    /// FFTW's planner is not thread-safe; executing a plan is.
    private static let planner = NSLock()

    /// `length` must be a power of two, at least 2.
    public init?(length: Int) {
        guard length >= 2, length & (length - 1) == 0, length <= 1 << 24 else { return nil }
        guard let input = fftwf_alloc_real(length), let output = fftwf_alloc_complex(length / 2 + 1) else { return nil }
        input.initialize(repeating: 0, count: length)
        // FFTW_ESTIMATE: no timing runs, so the plan (and its rounding) is the same on every run.
        Self.planner.lock()
        let plan = fftwf_plan_dft_r2c_1d(Int32(length), input, output, UInt32(FFTW_ESTIMATE) | UInt32(FFTW_DESTROY_INPUT))
        Self.planner.unlock()
        guard let plan else {
            fftwf_free(input)
            fftwf_free(output)
            return nil
        }
        self.length = length
        self.plan = plan
        self.input = input
        self.output = output
    }

    deinit {
        Self.planner.lock()
        fftwf_destroy_plan(plan)
        Self.planner.unlock()
        fftwf_free(input)
        fftwf_free(output)
    }

    /// |X_k| for k = 0 … min(length/2, out.count − 1) of `signal`
    /// zero-padded to `length`.
    public func magnitudes(of signal: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
        let n = min(signal.count, length)
        if let source = signal.baseAddress, n > 0 { input.update(from: source, count: n) }
        (input + n).update(repeating: 0, count: length - n)
        fftwf_execute_dft_r2c(plan, input, output)
        guard let magnitudes = out.baseAddress else { return }
        // fftwf_complex is float[2]: walk it as interleaved floats, a loop
        // the compiler vectorises (a square root is exact, so lanes give
        // the same bits as one at a time).
        let parts = UnsafeRawPointer(output).assumingMemoryBound(to: Float.self)
        for k in 0..<min(length / 2 + 1, out.count) {
            let re = parts[2 &* k], im = parts[2 &* k &+ 1]
            magnitudes[k] = (re * re + im * im).squareRoot()
        }
    }
}
