import BoardSupport
import CIMHAL
import CIMSimulator

/// MVM error by position in the array, through the HAL alone (so a real
/// eval board gives it too): random weights W ~ U(±0.5) fill one tile,
/// which is written with the board's policy and calibrated; then one block
/// of rows at a time is driven with random inputs, and each block of
/// columns' readout is compared with the exact product. IR drop grows
/// towards the far rows and columns; stuck cells and ADC mismatch show as hot spots.
struct ArrayErrorMeasurement {
    let board: Board

    func run(tile: Int, blocks: Int, vectors: Int, seed: UInt64) throws(MeasurementFailure) -> ArrayErrorMap {
        let g = board.accelerator.geometry
        let rowBlocks = max(1, min(blocks, g.rows)), columnBlocks = max(1, min(blocks, g.columns))
        let rowsPerBlock = g.rows / rowBlocks, columnsPerBlock = g.columns / columnBlocks
        var generator = SeededGenerator(seed: seed)
        let values = (0..<(g.rows * g.columns)).map { _ in Float.random(in: -0.5...0.5, using: &generator) }
        let readout: TileReadout
        do {
            let weights = try WeightMatrix(rows: g.rows, columns: g.columns, values: values)
            readout = try board.accelerator.program(tile: tile, weights: weights, policy: board.programmingPolicy).readout
            _ = try board.accelerator.calibrate(tile: tile, method: board.calibrationMethod)
        } catch {
            throw .hardware(step: "programming tile \(tile) with random weights", error)
        }
        let codeMax = readout.inputCodeMax
        var input = [Int32](repeating: 0, count: g.rows)
        var output = [Int32](repeating: 0, count: g.columns)
        var map = [[Double]](repeating: [Double](repeating: 0, count: columnBlocks), count: rowBlocks)
        var errorAll = 0.0, signalAll = 0.0
        for rb in 0..<rowBlocks {
            let rows = (rb * rowsPerBlock)..<((rb + 1) * rowsPerBlock)
            var errors = [Double](repeating: 0, count: columnBlocks), signals = errors
            for _ in 0..<vectors {
                for r in input.indices { input[r] = 0 }
                for r in rows { input[r] = Int32.random(in: -codeMax...codeMax, using: &generator) }
                do { try board.accelerator.multiply(tile: tile, inputCodes: input, into: &output) } catch {
                    throw .hardware(step: "an MVM on tile \(tile)", error)
                }
                for c in 0..<(columnBlocks * columnsPerBlock) {
                    var intended = 0.0
                    for r in rows { intended += Double(values[r * g.columns + c]) * Double(input[r]) / Double(codeMax) }
                    let e = readout.value(ofOutputCode: output[c], column: c) - intended
                    errors[c / columnsPerBlock] += e * e
                    signals[c / columnsPerBlock] += intended * intended
                }
            }
            for cb in 0..<columnBlocks {
                map[rb][cb] = signals[cb] > 0 ? (errors[cb] / signals[cb]).squareRoot() : 0
                errorAll += errors[cb]
                signalAll += signals[cb]
            }
        }
        return ArrayErrorMap(tile: tile, rowBlocks: rowBlocks, columnBlocks: columnBlocks, rowsPerBlock: rowsPerBlock,
                             columnsPerBlock: columnsPerBlock, vectorsPerBlock: vectors, error: map,
                             overall: signalAll > 0 ? (errorAll / signalAll).squareRoot() : 0)
    }
}
