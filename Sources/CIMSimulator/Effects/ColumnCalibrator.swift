/// Per-column gain and offset by least squares: the column measured m_k for
/// reference inputs whose intended outputs were e_k; fit m = g·e + o.
///
/// Reference inputs go through the same noisy path as real inputs, so the fit
/// sees read noise and ADC rounding; more vectors average them down.
public enum ColumnCalibrator {
    public struct Fit: Sendable, Hashable {
        public var gain: Double
        public var offset: Double
    }

    /// Running sums for one column, so a fit needs no stored samples.
    public struct Sums: Sendable, Hashable {
        public var count = 0.0
        public var expected = 0.0, measured = 0.0
        public var expectedSquared = 0.0, expectedTimesMeasured = 0.0

        public init() {}

        public mutating func add(expected e: Double, measured m: Double) {
            count += 1
            expected += e
            measured += m
            expectedSquared += e * e
            expectedTimesMeasured += e * m
        }
    }

    public static func fit(expected: [Double], measured: [Double]) -> Fit {
        var sums = Sums()
        for (e, m) in zip(expected, measured) { sums.add(expected: e, measured: m) }
        return fit(sums)
    }

    /// Fits one column. A column whose intended outputs do not vary (all-zero
    /// weights), or whose fitted gain is not a plausible positive number,
    /// keeps unit gain and gets only an offset.
    public static func fit(_ s: Sums) -> Fit {
        guard s.count > 0 else { return Fit(gain: 1, offset: 0) }
        let meanE = s.expected / s.count
        let meanM = s.measured / s.count
        let see = s.expectedSquared - s.count * meanE * meanE
        let sem = s.expectedTimesMeasured - s.count * meanE * meanM
        guard see > 1e-12 * max(1, s.expectedSquared) else { return Fit(gain: 1, offset: meanM - meanE) }
        let gain = sem / see
        guard gain.isFinite, gain > 0.05 else { return Fit(gain: 1, offset: meanM - meanE) }
        return Fit(gain: gain, offset: meanM - gain * meanE)
    }
}
