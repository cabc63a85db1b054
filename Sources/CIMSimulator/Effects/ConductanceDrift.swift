import RealModule

/// Conductance decay with time after programming, per cell:
/// G(t) = G₀ · ((t + t₀) / t₀)^(−ν), ν ~ N(νmean, νstd) clipped at 0.
/// The form and t₀ = 20 s are aihwkit's PCM model (Rasch et al., AICAS 2021).
public struct ConductanceDrift: Sendable, Hashable, Codable {
    public var enabled: Bool
    public var exponentMean: Double
    public var exponentStd: Double
    public var referenceSeconds: Double

    public init(enabled: Bool, exponentMean: Double, exponentStd: Double, referenceSeconds: Double) {
        self.enabled = enabled
        self.exponentMean = exponentMean
        self.exponentStd = exponentStd
        self.referenceSeconds = referenceSeconds
    }

    public static let off = ConductanceDrift(enabled: false, exponentMean: 0, exponentStd: 0, referenceSeconds: 20)

    public func drawExponent(rng: inout SeededGenerator) -> Float {
        guard enabled else { return 0 }
        return Float(max(0, exponentMean + exponentStd * rng.nextGaussian()))
    }

    /// The factor G(t)/G₀ for a cell with exponent ν, `secondsSinceProgramming` after it was set.
    @inlinable
    public func factor(exponent: Float, secondsSinceProgramming: Double) -> Double {
        guard enabled, exponent > 0 else { return 1 }
        let ratio = (max(0, secondsSinceProgramming) + referenceSeconds) / referenceSeconds
        return Double.pow(ratio, -Double(exponent))
    }
}
