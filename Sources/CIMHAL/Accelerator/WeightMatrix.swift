/// A dense weight matrix in row-major order: `rows` inputs by `columns` outputs,
/// so that output j = Σ_i input_i · self[i, j].
public struct WeightMatrix: Sendable, Hashable {
    public let rows: Int
    public let columns: Int
    public private(set) var values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) throws(HALError) {
        guard rows > 0, columns > 0 else {
            throw .invalidArgument("weight matrix must be at least 1x1, got \(rows)x\(columns)")
        }
        let size = rows.multipliedReportingOverflow(by: columns)
        guard !size.overflow, values.count == size.partialValue else {
            throw .invalidArgument("weight matrix \(rows)x\(columns) needs \(size.overflow ? "\(rows)·\(columns)" : "\(size.partialValue)") values, got \(values.count)")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw .invalidArgument("weight [\(bad / columns), \(bad % columns)] is \(values[bad]), expected a finite number")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public subscript(row: Int, column: Int) -> Float {
        values[row * columns + column]
    }
}
