import CSimKernels

/// How the simulator forms column sums. The arithmetic is the same — eight
/// lanes of single-precision multiply and add per 8-row block, lanes summed
/// in order, no fused multiply-add — so both give bit-identical results and
/// a seed reproduces a run on any machine; AVX does it in half the
/// instructions on x86-64 CPUs that have it.
public enum ColumnKernel: Sendable, Hashable {
    /// SIMD8<Float> in Swift: SSE on baseline x86-64, NEON on a Raspberry Pi.
    case portable
    /// 256-bit AVX in C, chosen at run time (the package targets baseline x86-64).
    case avx
    /// 512-bit AVX-512F in C: two columns' eight row lanes per vector.
    case avx512

    public static let fastest: ColumnKernel = cimfw_cpu_has_avx512() == 1 ? .avx512 : cimfw_cpu_has_avx() == 1 ? .avx : .portable

    /// Whether this machine can run `self`.
    public var isAvailable: Bool {
        switch self {
        case .portable: true
        case .avx: cimfw_cpu_has_avx() == 1
        case .avx512: cimfw_cpu_has_avx512() == 1
        }
    }
}
