import CIMHAL
import Testing
@testable import KWS

/// Tile plans: every weight of every matrix lands on exactly one tile cell,
/// whether the matrix is smaller or larger than a tile.
@Suite struct TileCompilerTests {
    static func randomModel(inputs: Int = 10, hidden: Int, classes: Int = 12, linearBeforeReset: Bool = true,
                            seed: UInt64 = 1) throws -> NeuralNetwork {
        var state = seed
        func next() -> Float {  // splitmix64: a fixed, seeded sequence
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Float(Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)) - 0.5
        }
        let h = hidden, i = inputs
        func values(_ n: Int) -> [Float] { (0..<n).map { _ in next() } }
        let gru = try GRULayer(inputSize: i, hiddenSize: h, w: values(3 * h * i), r: values(3 * h * h), wb: values(3 * h),
                               rb: values(3 * h), linearBeforeReset: linearBeforeReset)
        return try NeuralNetwork(gru: gru, classifier: try DenseLayer(inputs: h, outputs: classes, w: values(classes * h), b: values(classes)))
    }

    static func geometry(rows: Int, columns: Int, tiles: Int = 48) -> CIMGeometry {
        CIMGeometry(tiles: tiles, rows: rows, columns: columns, dacBits: 8, adcBits: 6, weightBits: 4, columnsPerADC: 8)
    }

    /// (matrix, row, column) → how many tile cells hold it.
    static func coverage(_ c: CompiledModel) -> [[Int]] {
        var counts = c.matrices.map { [Int](repeating: 0, count: $0.rows * $0.outputs) }
        for p in c.pieces {
            for r in 0..<p.rowCount { for col in 0..<p.columnCount { counts[p.matrix][(p.rowStart + r) * c.matrices[p.matrix].outputs + p.columnStart + col] += 1 } }
            #expect(p.rowCount <= c.geometry.rows && p.columnCount <= c.geometry.columns)
        }
        return counts
    }

    @Test func aModelSmallerThanATileTakesOneTilePerMatrix() throws {
        let c = try TileCompiler.compile(try Self.randomModel(hidden: 16), for: Self.geometry(rows: 256, columns: 256))
        #expect(c.matrices.map(\.name) == ["gru.gates", "classifier"])
        #expect(c.tilesUsed == 2)
        #expect(c.matrices[0].outputs == 64)  // z | r | W_h x | R_h h
        #expect(c.matrices[0].inputReplicas == 3 && c.matrices[0].dataRows == 30 + 16)
        #expect(Self.coverage(c).allSatisfy { $0.allSatisfy { $0 == 1 } })
        #expect(c.tileMultipliesPerInference(frames: 49) == 49 + 1)
    }

    @Test func aMatrixLargerThanATileIsSplitByRowsAndColumns() throws {
        let c = try TileCompiler.compile(try Self.randomModel(hidden: 40), for: Self.geometry(rows: 32, columns: 48))
        let gates = c.pieces.filter { $0.matrix == 0 }
        // 10 + 40 + bias rows over 32-row tiles, 160 columns over 48-column tiles.
        #expect(Set(gates.map(\.rowStart)).count == 2)
        #expect(Set(gates.map(\.columnStart)).count == 4)
        #expect(gates.count == 8)
        #expect(Self.coverage(c).allSatisfy { $0.allSatisfy { $0 == 1 } })
        #expect(Set(c.pieces.map(\.tile)).count == c.pieces.count)
    }

    @Test func linearBeforeResetZeroAddsACandidateMatrix() throws {
        let c = try TileCompiler.compile(try Self.randomModel(hidden: 16, linearBeforeReset: false), for: Self.geometry(rows: 256, columns: 256))
        #expect(c.matrices.map(\.name) == ["gru.gates", "gru.candidate", "classifier"])
        #expect(c.matrices[0].outputs == 48 && c.matrices[1].outputs == 16)
        #expect(c.tileMultipliesPerInference(frames: 49) == 2 * 49 + 1)
    }

    @Test func aBiasLargerThanTheWeightsIsSpreadOverSeveralRows() throws {
        let random = try Self.randomModel(hidden: 8)
        var dense = random.denseLayers[0]
        dense.b[3] = 40  // weights are within ±0.5
        let model = try NeuralNetwork(gru: try #require(random.recurrentLayer), classifier: dense)
        let c = try TileCompiler.compile(model, for: Self.geometry(rows: 256, columns: 256))
        let classifier = c.matrices[1]
        #expect(classifier.biasRows > 1)
        let column3 = (classifier.dataRows..<classifier.rows).map { classifier.weights[$0 * classifier.outputs + 3] }
        #expect(abs(column3.reduce(0, +) - 40) < 1e-4)
        #expect(column3.allSatisfy { $0 <= 0.5 + 1e-6 } || classifier.biasRows == 16)
    }

    @Test func tooFewTilesIsAnError() throws {
        let error = #expect(throws: CompileError.self) {
            try TileCompiler.compile(try Self.randomModel(hidden: 40), for: Self.geometry(rows: 32, columns: 48, tiles: 4))
        }
        #expect(error?.description.contains("tiles") == true)
    }

    @Test func aFaultMapMovesTheBlockOffStuckOnPairsAndHandsStuckOffWeightsToDigital() throws {
        let g = Self.geometry(rows: 64, columns: 64)
        let model = try Self.randomModel(inputs: 4, hidden: 8, classes: 4)
        var faults = [TileFaultMap.PairFault](repeating: .healthy, count: 64 * 64)
        faults[0 * 64 + 5] = .positiveStuckOn     // row 0 is used by the identity plan
        faults[2 * 64 + 0] = .negativeStuckOn
        faults[3 * 64 + 1] = .positiveStuckOff
        faults[3 * 64 + 2] = .negativeStuckOff
        let map = TileFaultMap(tile: 0, rows: 64, columns: 64, faults: faults)
        let c = try TileCompiler.compile(model, for: g, faults: [map])
        let piece = c.pieces[0]
        #expect(piece.stuckOnPairsUsed == 0)
        for (r, physical) in piece.physicalRows.enumerated() {
            for (col, column) in piece.physicalColumns.enumerated() {
                #expect(!map[physical, column].isStuckOn, "row \(r) column \(col) sits on a stuck-on pair")
            }
        }
        #expect(Set(piece.physicalRows).count == piece.rowCount)
        // Every weight on a stuck-off pair of its own sign is done digitally, and zero on the tile.
        let matrix = c.matrices[0]
        let programmed = try c.weights(of: piece)
        for (r, physical) in piece.physicalRows.enumerated() {
            for (col, column) in piece.physicalColumns.enumerated() {
                let w = matrix.weights[r * matrix.outputs + col]
                let fault = map[physical, column]
                let digital = piece.digitalWeights.contains { $0.row == r && $0.column == col }
                let lost = (fault == .positiveStuckOff && w > 0) || (fault == .negativeStuckOff && w < 0)
                #expect(digital == lost)
                #expect(programmed[physical, column] == (lost ? 0 : w))
            }
        }
    }
}
