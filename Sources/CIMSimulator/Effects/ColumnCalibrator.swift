/// Per-column gain and offset by least squares: the column measured m_k for
/// reference inputs whose intended outputs were e_k; fit m = g·e + o.
///
/// Reference inputs go through the same noisy path as real inputs, so the fit
/// sees read noise and ADC rounding; more vectors average them down.
public struct CalibrationSettings: Sendable, Hashable, Codable {
    public var referenceVectors: Int
    /// Reserve a dummy column pair at a known weight for cheap drift tracking.
    public var referenceColumn: Bool
    /// Reads of the reference column averaged per drift-tracking update.
    public var referenceColumnReads: Int

    public init(referenceVectors: Int, referenceColumn: Bool, referenceColumnReads: Int) {
        self.referenceVectors = referenceVectors
        self.referenceColumn = referenceColumn
        self.referenceColumnReads = referenceColumnReads
    }
}

public enum ColumnCalibrator {
    public struct Fit: Sendable, Hashable {
        public var gain: Double
        public var offset: Double
    }

    /// Fits one column. A column whose intended outputs do not vary (all-zero
    /// weights) keeps unit gain and gets only an offset.
    public static func fit(expected: [Double], measured: [Double]) -> Fit {
        let n = Double(expected.count)
        guard n > 0 else { return Fit(gain: 1, offset: 0) }
        let meanE = expected.reduce(0, +) / n
        let meanM = measured.reduce(0, +) / n
        var see = 0.0, sem = 0.0
        for k in expected.indices {
            let de = expected[k] - meanE
            see += de * de
            sem += de * (measured[k] - meanM)
        }
        guard see > 1e-12 * max(1, meanE * meanE * n) else { return Fit(gain: 1, offset: meanM - meanE) }
        let gain = sem / see
        guard gain.isFinite, gain > 0.05 else { return Fit(gain: 1, offset: meanM - meanE) }
        return Fit(gain: gain, offset: meanM - gain * meanE)
    }
}
