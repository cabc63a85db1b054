import RealModule

/// The elementwise function a matrix layer applies to its output, done in
/// the digital periphery on an accelerator.
public enum Activation: String, Sendable, Hashable, CaseIterable {
    case identity, relu, sigmoid, tanh

    @inline(__always)
    public func apply(_ x: Float) -> Float {
        switch self {
        case .identity: return x
        case .relu: return max(0, x)
        case .sigmoid: return 1 / (1 + Float.exp(-x))
        case .tanh: return Float.tanh(x)
        }
    }
}
