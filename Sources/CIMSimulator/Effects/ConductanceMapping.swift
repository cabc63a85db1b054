import CIMHAL

/// Signed weights onto differential pairs: w ∝ G⁺ − G⁻, each conductance in
/// [Gmin, Gmax] at one of 2^weightBits levels.
///
/// A column's weights are divided by a column scale (its largest |w| when
/// `perColumnScaling`, else the matrix's) so the column uses the whole
/// conductance range; the scale is undone digitally after the ADC.
public struct ConductanceMapping: Sendable, Hashable, Codable {
    public var gMinSiemens: Double
    public var gMaxSiemens: Double
    public var weightBits: Int
    /// The effect switch: snap conductances to the 2^weightBits levels.
    /// Off, any conductance in [Gmin, Gmax] can be programmed.
    public var quantizesToLevels: Bool
    public var perColumnScaling: Bool
    /// Whether weights are lost on reset (SRAM) or kept (RRAM, PCM, flash).
    public var volatile: Bool

    public init(gMinSiemens: Double, gMaxSiemens: Double, weightBits: Int, quantizesToLevels: Bool, perColumnScaling: Bool, volatile: Bool = false) {
        self.volatile = volatile
        self.gMinSiemens = gMinSiemens
        self.gMaxSiemens = gMaxSiemens
        self.weightBits = weightBits
        self.quantizesToLevels = quantizesToLevels
        self.perColumnScaling = perColumnScaling
    }

    public var rangeSiemens: Double { gMaxSiemens - gMinSiemens }
    public var levels: Int { 1 << weightBits }

    /// Scale per column such that weight / scale lies in [−1, 1].
    public func columnScales(of weights: WeightMatrix) -> [Double] {
        var scales = [Double](repeating: 0, count: weights.columns)
        for i in 0..<weights.rows {
            for j in 0..<weights.columns {
                scales[j] = max(scales[j], Double(abs(weights[i, j])))
            }
        }
        if !perColumnScaling {
            let global = scales.max() ?? 0
            scales = [Double](repeating: global, count: weights.columns)
        }
        // An all-zero column gets a unit scale so nothing divides by zero.
        return scales.map { $0 > 0 ? $0 : 1 }
    }

    /// The normalized weight the pair will hold: w / scale, snapped to levels
    /// when quantizing.
    @inlinable
    public func normalizedTarget(weight: Double, scale: Double) -> Double {
        let u = max(-1, min(1, weight / scale))
        guard quantizesToLevels else { return u }
        let steps = Double(levels - 1)
        return (u * steps).rounded() / steps
    }

    /// Target conductances of the pair for a normalized weight in [−1, 1].
    @inlinable
    public func pair(forNormalized u: Double) -> (plus: Double, minus: Double) {
        (gMinSiemens + rangeSiemens * max(u, 0), gMinSiemens + rangeSiemens * max(-u, 0))
    }
}

extension ConductanceMapping: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("g_min_micro_siemens", .real(\.gMinSiemens, range: 0...1e6, fileToModel: 1e-6)),
        .init("g_max_micro_siemens", .real(\.gMaxSiemens, range: 0...1e6, fileToModel: 1e-6)),
        .init("weight_bits", .integer(\.weightBits, range: 4...8)),
        .init("quantize_levels", .flag(\.quantizesToLevels)),
        .init("per_column_scaling", .flag(\.perColumnScaling)),
        .init("volatile", .flag(\.volatile)),
    ]

    @Sendable static func violation(_ c: SimulatorConfiguration) -> ParameterViolation? {
        let m = c.mapping
        guard m.gMaxSiemens <= m.gMinSiemens else { return nil }
        return ParameterViolation(key: "conductance.g_max_micro_siemens", related: ["conductance.g_min_micro_siemens"],
                                  value: ParameterViolation.format(m.gMaxSiemens / 1e-6),
                                  expected: "greater than conductance.g_min_micro_siemens (\(ParameterViolation.format(m.gMinSiemens / 1e-6)))")
    }
}
