/// How a tile's columns are calibrated.
public enum CalibrationMethod: Sendable, Hashable, Codable {
    /// Drive this many reference input vectors and fit each column's gain and
    /// offset by least squares against the programmed targets.
    case referenceInputs(count: Int)
    /// Read the tile's reference (dummy) column and scale every column's gain
    /// by how far it moved since the last full calibration: one read, tracks drift.
    case referenceColumn
}

/// Per-column gain and offset as found by a calibration, and its cost.
///
/// The measured column output was `gain · expected + offsetCodes`; the
/// accelerator trims each column by the inverse from now on.
public struct ColumnCalibration: Sendable, Hashable, Codable {
    public var tile: Int
    public var method: CalibrationMethod
    public var gain: [Double]
    public var offsetCodes: [Double]
    public var durationSeconds: Double
    public var energyJoules: Double

    public init(tile: Int, method: CalibrationMethod, gain: [Double], offsetCodes: [Double],
                durationSeconds: Double, energyJoules: Double) {
        self.tile = tile
        self.method = method
        self.gain = gain
        self.offsetCodes = offsetCodes
        self.durationSeconds = durationSeconds
        self.energyJoules = energyJoules
    }
}
