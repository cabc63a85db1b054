import CIMHAL

/// Cell-to-cell programming variability and the write-verify loop that
/// narrows it.
///
/// A single pulse lands at G_target · (1 + ε) with ε drawn from the configured
/// distribution (the article's RRAM figure: ±10%, uniform). Each verify
/// read that finds the cell outside tolerance triggers a corrective pulse that
/// moves it by (G_target − G)·(1 + ε) plus a granularity error of
/// `pulseGranularityRelative` · (Gmax − Gmin) · N(0, 1): the loop converges
/// geometrically until the granularity floor.
public struct ProgrammingVariability: Sendable, Hashable, Codable {
    public enum Distribution: String, Sendable, Hashable, Codable, CaseIterable {
        /// ε ~ U(−v, v): "±v after programming".
        case uniform
        /// ε ~ N(0, v).
        case gaussian
    }

    public var enabled: Bool
    public var variabilityRelative: Double
    public var distribution: Distribution
    public var pulseGranularityRelative: Double

    public init(enabled: Bool, variabilityRelative: Double, distribution: Distribution, pulseGranularityRelative: Double) {
        self.enabled = enabled
        self.variabilityRelative = variabilityRelative
        self.distribution = distribution
        self.pulseGranularityRelative = pulseGranularityRelative
    }

    public static let off = ProgrammingVariability(enabled: false, variabilityRelative: 0, distribution: .uniform, pulseGranularityRelative: 0)

    @inlinable
    func relativeError(_ rng: inout SeededGenerator) -> Double {
        switch distribution {
        case .uniform: return variabilityRelative * rng.nextSignedUnit()
        case .gaussian: return variabilityRelative * rng.nextGaussian()
        }
    }

    /// The outcome of programming one cell.
    public struct CellResult: Sendable, Hashable {
        public var conductanceSiemens: Double
        public var pulses: Int
        public var withinTolerance: Bool
    }

    /// Programs one cell towards `targetSiemens` under `policy`.
    public func program(targetSiemens: Double, rangeSiemens: Double, policy: WriteVerifyPolicy,
                        rng: inout SeededGenerator) -> CellResult {
        guard enabled else {
            return CellResult(conductanceSiemens: targetSiemens, pulses: 1, withinTolerance: true)
        }
        let tolerance = policy.toleranceRelative * rangeSiemens
        var g = max(0, targetSiemens * (1 + relativeError(&rng)))
        var pulses = 1
        while abs(g - targetSiemens) > tolerance && pulses < policy.maxPulses {
            let step = (targetSiemens - g) * (1 + relativeError(&rng))
            g = max(0, g + step + pulseGranularityRelative * rangeSiemens * rng.nextGaussian())
            pulses += 1
        }
        return CellResult(conductanceSiemens: g, pulses: pulses, withinTolerance: abs(g - targetSiemens) <= tolerance)
    }
}


extension ProgrammingVariability: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("enabled", .flag(\.enabled), optional: .flag(false)),
        .init("variability_relative", .real(\.variabilityRelative, range: 0...1, fileToModel: 1), whenOff: .real(0)),
        .init("distribution", .choice(\.distributionName, options: Distribution.allCases.map(\.rawValue)), whenOff: .choice("uniform")),
        .init("pulse_granularity_relative", .real(\.pulseGranularityRelative, range: 0...1, fileToModel: 1), whenOff: .real(0)),
    ]

    var distributionName: String {
        get { distribution.rawValue }
        set { distribution = Distribution(rawValue: newValue) ?? .uniform }
    }
}

extension WriteVerifyPolicy: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("verify_tolerance_relative", .real(\.toleranceRelative, range: 1e-6...1, fileToModel: 1)),
        .init("max_pulses", .integer(\.maxPulses, range: 1...10_000)),
    ]
}
