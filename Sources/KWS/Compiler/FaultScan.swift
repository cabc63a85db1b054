import CIMHAL

/// Which cell of each differential pair of a tile is stuck, found by a
/// built-in self-test that needs nothing but the HAL: program a pattern,
/// drive one row at a time, read the columns.
public struct TileFaultMap: Sendable, Hashable {
    public enum PairFault: UInt8, Sendable, Hashable {
        case healthy
        /// G+ stuck at the top: the pair reads as +full scale for a zero weight.
        case positiveStuckOn
        /// G− stuck at the top: −full scale for a zero weight.
        case negativeStuckOn
        /// G+ stuck at the bottom: the pair cannot hold a positive weight.
        case positiveStuckOff
        /// G− stuck at the bottom: the pair cannot hold a negative weight.
        case negativeStuckOff

        public var isStuckOn: Bool { self == .positiveStuckOn || self == .negativeStuckOn }
    }

    public var tile: Int
    public var rows: Int
    public var columns: Int
    public var faults: [PairFault]
    /// Per column: output codes one full-scale input gives through one
    /// full-range pair. A stuck-on pair adds this, times the input, to its
    /// column whatever is programmed, so the digital side can take it off.
    public var codesPerFullWeight: [Double]

    public init(tile: Int, rows: Int, columns: Int, faults: [PairFault], codesPerFullWeight: [Double]? = nil) {
        self.tile = tile
        self.rows = rows
        self.columns = columns
        self.faults = faults
        self.codesPerFullWeight = codesPerFullWeight ?? [Double](repeating: 0, count: columns)
    }

    public subscript(row: Int, column: Int) -> PairFault { faults[row * columns + column] }

    public var stuckOnPairs: Int { faults.filter(\.isStuckOn).count }
    public var stuckOffPairs: Int { faults.filter { $0 == .positiveStuckOff || $0 == .negativeStuckOff }.count }
}

public enum FaultScan {
    /// Scans `tile` with three patterns (every weight +1, −1, then 0), each
    /// read row by row with a +full-scale and a −full-scale one-hot input:
    /// the difference of the two reads cancels column offsets, and a pair
    /// that does not follow the pattern by at least half the expected swing
    /// is stuck. The tile is left holding zero weights; program it after.
    public static func scan(_ accelerator: any CIMAccelerator, tile: Int, policy: WriteVerifyPolicy) throws(HALError) -> TileFaultMap {
        let g = accelerator.geometry
        let rows = g.rows, columns = g.columns
        var inputs = [Int32](repeating: 0, count: 2 * rows * rows)
        for r in 0..<rows {
            inputs[(2 * r) * rows + r] = g.inputCodeMax
            inputs[(2 * r + 1) * rows + r] = -g.inputCodeMax
        }
        var outputs = [Int32](repeating: 0, count: 2 * rows * columns)
        /// Per (row, column): read(+) − read(−), in codes, and the swing a full weight gives.
        func read(pattern: Float) throws(HALError) -> (swing: [Double], difference: [Int32]) {
            let weights = try WeightMatrix(rows: rows, columns: columns, values: [Float](repeating: pattern, count: rows * columns))
            let report = try accelerator.program(tile: tile, weights: weights, policy: policy)
            try accelerator.multiplyBatch(tile: tile, batchSize: 2 * rows, inputCodes: inputs, into: &outputs)
            var difference = [Int32](repeating: 0, count: rows * columns)
            for r in 0..<rows {
                for c in 0..<columns { difference[r * columns + c] = outputs[2 * r * columns + c] &- outputs[(2 * r + 1) * columns + c] }
            }
            // One full-scale input on one full weight is 1 weight unit: 1 / (units per code) codes, twice.
            let swing = report.readout.weightUnitsPerOutputCode.prefix(columns).map { $0 > 0 ? 2 / $0 : 0 }
            return (swing, difference)
        }
        let positive = try read(pattern: 1)
        guard let smallest = positive.swing.min(), smallest >= 2 else {
            throw .unsupported("tile \(tile): one full-scale row on a full weight moves the ADC by under one code, too little to tell a stuck cell")
        }
        let negative = try read(pattern: -1)
        let zero = try read(pattern: 0)
        var faults = [TileFaultMap.PairFault](repeating: .healthy, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns {
                let n = r * columns + c
                let half = positive.swing[c] / 2
                if Double(zero.difference[n]) >= half { faults[n] = .positiveStuckOn }
                else if Double(zero.difference[n]) <= -half { faults[n] = .negativeStuckOn }
                else if Double(positive.difference[n]) < half { faults[n] = .positiveStuckOff }
                else if Double(negative.difference[n]) > -half { faults[n] = .negativeStuckOff }
            }
        }
        return TileFaultMap(tile: tile, rows: rows, columns: columns, faults: faults,
                            codesPerFullWeight: positive.swing.map { $0 / 2 })
    }
}
