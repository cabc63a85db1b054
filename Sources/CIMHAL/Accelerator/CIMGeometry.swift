/// The fixed shape of a CIM accelerator: what a compiler needs to map a model.
public struct CIMGeometry: Sendable, Hashable, Codable {
    public var tiles: Int
    /// Word lines per tile: the length of one input vector.
    public var rows: Int
    /// Logical (signed) columns per tile: the length of one output vector.
    /// Each is a differential pair of physical columns.
    public var columns: Int
    /// Signed input resolution: codes span ±(2^(dacBits-1) − 1).
    public var dacBits: Int
    /// Signed output resolution: codes span ±(2^(adcBits-1) − 1).
    public var adcBits: Int
    /// Bits of weight magnitude one differential pair can hold.
    public var weightBits: Int
    /// Columns multiplexed onto one ADC (sets the conversion latency).
    public var columnsPerADC: Int

    public init(tiles: Int, rows: Int, columns: Int, dacBits: Int, adcBits: Int, weightBits: Int, columnsPerADC: Int) {
        self.tiles = tiles
        self.rows = rows
        self.columns = columns
        self.dacBits = dacBits
        self.adcBits = adcBits
        self.weightBits = weightBits
        self.columnsPerADC = columnsPerADC
    }

    public var inputCodeMax: Int32 { Int32((1 << (dacBits - 1)) - 1) }
    public var outputCodeMax: Int32 { Int32((1 << (adcBits - 1)) - 1) }
    /// Multiply-accumulates in one full-tile matrix-vector multiply.
    public var macsPerTileMVM: Int { rows * columns }
}

extension CIMGeometry {
    /// Checks the shape of a hot-path call once, so every backend rejects a
    /// bad call the same way (and no size product can overflow).
    public func validateMultiply(tile: Int, batchSize: Int, inputCount: Int, outputCount: Int) throws(HALError) {
        guard (0..<tiles).contains(tile) else {
            throw .invalidArgument("tile \(tile) is outside 0..<\(tiles)")
        }
        let inputs = batchSize.multipliedReportingOverflow(by: rows)
        let outputs = batchSize.multipliedReportingOverflow(by: columns)
        guard batchSize > 0, !inputs.overflow, !outputs.overflow else {
            throw .invalidArgument("batch size \(batchSize) must be at least 1 and fit in memory")
        }
        guard inputCount == inputs.partialValue else {
            throw .invalidArgument("expected \(inputs.partialValue) input codes (\(batchSize) x \(rows) rows), got \(inputCount)")
        }
        guard outputCount == outputs.partialValue else {
            throw .invalidArgument("expected room for \(outputs.partialValue) output codes (\(batchSize) x \(columns) columns), got \(outputCount)")
        }
    }
}
