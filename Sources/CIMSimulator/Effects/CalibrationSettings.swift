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

extension CalibrationSettings: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("reference_vectors", .integer(\.referenceVectors, range: 2...100_000)),
        .init("reference_column", .flag(\.referenceColumn)),
        .init("reference_column_reads", .integer(\.referenceColumnReads, range: 1...10_000)),
    ]
}
