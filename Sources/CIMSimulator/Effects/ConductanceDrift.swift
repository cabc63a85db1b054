import RealModule

/// Conductance decay with time after programming, per cell:
/// G(t) = G₀ · ((t + t₀) / t₀)^(−ν). The form and t₀ = 20 s are aihwkit's
/// PCM model (Rasch et al., AICAS 2021). The exponent ν follows one of two laws:
/// - `constant`: ν ~ N(νmean, νstd) clipped at 0, the same for every state;
/// - `stateDependent`: aihwkit's PCM law, fitted to measurements of a million
///   PCM devices (Nandakumar et al., "Phase-change memory models for deep
///   learning training and inference", ICECS 2019, pp. 727–730,
///   doi:10.1109/ICECS46596.2019.8964852): with g = G/Gmax (at least 10⁻⁷),
///   μ = clamp(−0.0155·ln g + 0.0244, 0.049, 0.1),
///   σ = clamp(−0.0125·ln g − 0.0059, 0.008, 0.045), ν = |μ + σ·z|, z ~ N(0, 1)
///   per cell. Low-conductance states drift faster and spread wider. The
///   conductance as programmed stands in for aihwkit's target conductance.
public struct ConductanceDrift: Sendable, Hashable, Codable {
    public enum ExponentLaw: String, CaseIterable, Sendable, Hashable, Codable {
        case constant
        case stateDependent = "state_dependent"
    }

    public var enabled: Bool
    public var exponentMean: Double
    public var exponentStd: Double
    public var referenceSeconds: Double
    public var exponentLaw: ExponentLaw

    public init(enabled: Bool, exponentMean: Double, exponentStd: Double, referenceSeconds: Double,
                exponentLaw: ExponentLaw = .constant) {
        self.enabled = enabled
        self.exponentMean = exponentMean
        self.exponentStd = exponentStd
        self.referenceSeconds = referenceSeconds
        self.exponentLaw = exponentLaw
    }

    /// The state-dependent law's ν for a cell at `relativeConductance`
    /// G/Gmax whose standard normal draw is `z`.
    @inlinable
    public static func stateDependentExponent(relativeConductance: Double, z: Float) -> Float {
        let lnG = Double.log(max(relativeConductance, 1e-7))
        let mean = min(0.1, max(0.049, -0.0155 * lnG + 0.0244))
        let sigma = min(0.045, max(0.008, -0.0125 * lnG - 0.0059))
        return Float(abs(mean + sigma * Double(z)))
    }

    /// The largest ν the law gives at three standard deviations.
    public var steepestExponent: Double {
        switch exponentLaw {
        case .constant: exponentMean + 3 * exponentStd
        case .stateDependent: 0.1 + 3 * 0.045
        }
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

    /// ν itself under the constant law; under the state-dependent one, the
    /// cell's standard normal draw z (its ν follows from its conductance).
    public func drawCellParameter(rng: inout SeededGenerator) -> Float {
        switch exponentLaw {
        case .constant: drawExponent(rng: &rng)
        case .stateDependent: enabled ? Float(rng.nextGaussian()) : 0
        }
    }

    /// Board time between two drift folds of one tile, at least. The
    /// presets' steepest cells (PCM's state-dependent law, ν = 0.1 + 3·0.045,
    /// t₀ = 20 s) need 85 ms to move 0.1%, so this never binds on them; it bounds the cost of a legal
    /// but extreme board (ν ≈ 1 from t₀ = 1 ns) to a fold per 10 ms instead
    /// of one per MVM.
    public static let minimumRefreshSeconds = 0.01

    /// Moved when drift can have changed a conductance by 0.1% (a tenth of
    /// one read's noise): with ν at most mean + 3σ, when ν·|Δ ln(t + t₀)| > 10⁻³.
    public func hasMoved(since last: FoldConditions, to now: FoldConditions) -> Bool {
        guard enabled, abs(now.ageSeconds - last.ageSeconds) >= Self.minimumRefreshSeconds else { return false }
        let t0 = referenceSeconds
        let steepest = max(1e-9, steepestExponent)
        return steepest * abs(Double.log((max(0, now.ageSeconds) + t0) / (max(0, last.ageSeconds) + t0))) > 1e-3
    }

    public func fold(_ g: UnsafeMutableBufferPointer<Double>, cellParameters: UnsafeBufferPointer<Float>, in array: ConductanceFold) {
        guard enabled else { return }
        switch exponentLaw {
        case .constant:
            for n in 0..<g.count {
                g[n] *= factor(exponent: cellParameters[n], secondsSinceProgramming: array.nowSeconds - array.writtenAtSeconds[n])
            }
        case .stateDependent:
            let inverseGMax = 1 / array.gMaxSiemens
            for n in 0..<g.count {
                let nu = Self.stateDependentExponent(relativeConductance: array.programmed[n] * inverseGMax, z: cellParameters[n])
                g[n] *= factor(exponent: nu, secondsSinceProgramming: array.nowSeconds - array.writtenAtSeconds[n])
            }
        }
    }
}

extension ConductanceDrift: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("enabled", .flag(\.enabled), optional: .flag(false)),
        .init("exponent_mean", .real(\.exponentMean, range: 0...1, fileToModel: 1), whenOff: .real(0)),
        .init("exponent_std", .real(\.exponentStd, range: 0...1, fileToModel: 1), whenOff: .real(0)),
        .init("reference_seconds", .real(\.referenceSeconds, range: 1e-9...1e9, fileToModel: 1), whenOff: .real(20)),
        .init("exponent_law", .choice(\.exponentLawName, options: ExponentLaw.allCases.map(\.rawValue)), whenOff: .choice("constant")),
    ]

    var exponentLawName: String {
        get { exponentLaw.rawValue }
        set { exponentLaw = ExponentLaw(rawValue: newValue) ?? .constant }
    }
}
