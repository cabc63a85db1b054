/// How a board calibrates: reference vectors per full calibration, and the
/// optional reference (dummy) column for cheap drift tracking.
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
