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

extension ConductanceDrift: ConductanceStage {
    public var cellStream: RandomStream? { .drift }

    public func drawCellParameter(rng: inout SeededGenerator) -> Float { drawExponent(rng: &rng) }

    /// Board time between two drift folds of one tile, at least. The
    /// presets' steepest cells (PCM, ν = 0.05 + 3·0.02, t₀ = 20 s) need 180 ms
    /// to move 0.1%, so this never binds on them; it bounds the cost of a legal
    /// but extreme board (ν ≈ 1 from t₀ = 1 ns) to a fold per 10 ms instead
    /// of one per MVM.
    public static let minimumRefreshSeconds = 0.01

    /// Moved when drift can have changed a conductance by 0.1% (a tenth of
    /// one read's noise): with ν at most mean + 3σ, when ν·|Δ ln(t + t₀)| > 10⁻³.
    public func hasMoved(since last: FoldConditions, to now: FoldConditions) -> Bool {
        guard enabled, abs(now.ageSeconds - last.ageSeconds) >= Self.minimumRefreshSeconds else { return false }
        let t0 = referenceSeconds
        let steepest = max(1e-9, exponentMean + 3 * exponentStd)
        return steepest * abs(Double.log((max(0, now.ageSeconds) + t0) / (max(0, last.ageSeconds) + t0))) > 1e-3
    }

    public func fold(_ g: UnsafeMutableBufferPointer<Double>, cellParameters exponent: UnsafeBufferPointer<Float>, in array: ConductanceFold) {
        guard enabled else { return }
        for n in 0..<g.count {
            g[n] *= factor(exponent: exponent[n], secondsSinceProgramming: array.nowSeconds - array.writtenAtSeconds[n])
        }
    }
}

extension ConductanceDrift: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("enabled", .flag(\.enabled), optional: .flag(false)),
        .init("exponent_mean", .real(\.exponentMean, range: 0...1, fileToModel: 1), whenOff: .real(0)),
        .init("exponent_std", .real(\.exponentStd, range: 0...1, fileToModel: 1), whenOff: .real(0)),
        .init("reference_seconds", .real(\.referenceSeconds, range: 1e-9...1e9, fileToModel: 1), whenOff: .real(20)),
    ]
}
