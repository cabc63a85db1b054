import CIMHAL
import Testing

@Suite("WeightMatrix")
struct WeightMatrixTests {
    @Test("values are row-major: self[i, j] is values[i * columns + j]")
    func rowMajor() throws {
        let m = try WeightMatrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6])
        #expect(m.rows == 2 && m.columns == 3)
        #expect(m[0, 2] == 3)
        #expect(m[1, 0] == 4)
        #expect(m[1, 2] == 6)
    }

    @Test("a value count other than rows x columns is rejected", arguments: [0, 5, 7, 12])
    func wrongCount(count: Int) {
        let error = #expect(throws: HALError.self) {
            try WeightMatrix(rows: 2, columns: 3, values: [Float](repeating: 0.5, count: count))
        }
        guard case let .invalidArgument(message)? = error else {
            Issue.record("expected .invalidArgument, got \(String(describing: error))")
            return
        }
        #expect(message.contains("6") && message.contains("got \(count)"), "\(message)")
    }

    @Test("a matrix with no rows or no columns is rejected", arguments: [(0, 3), (3, 0), (0, 0), (-1, 2)])
    func zeroSize(rows: Int, columns: Int) {
        let error = #expect(throws: HALError.self) { try WeightMatrix(rows: rows, columns: columns, values: []) }
        guard case .invalidArgument? = error else {
            Issue.record("expected .invalidArgument, got \(String(describing: error))")
            return
        }
    }

    @Test("a non-finite weight is rejected and the message names its row and column",
          arguments: [Float.nan, .infinity, -.infinity])
    func nonFinite(bad: Float) {
        var values: [Float] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
        values[5] = bad
        let error = #expect(throws: HALError.self) { try WeightMatrix(rows: 2, columns: 3, values: values) }
        guard case let .invalidArgument(message)? = error else {
            Issue.record("expected .invalidArgument, got \(String(describing: error))")
            return
        }
        #expect(message.contains("[1, 2]"), "\(message)")
    }

    @Test("the first non-finite weight is the one reported")
    func firstNonFiniteReported() {
        let values: [Float] = [0, 0, 0, .nan, 0, .infinity]
        let error = #expect(throws: HALError.self) { try WeightMatrix(rows: 2, columns: 3, values: values) }
        guard case let .invalidArgument(message)? = error else {
            Issue.record("expected .invalidArgument, got \(String(describing: error))")
            return
        }
        #expect(message.contains("[1, 0]") && !message.contains("[1, 2]"), "\(message)")
    }
}

@Suite("TileReadout")
struct TileReadoutTests {
    let readout = TileReadout(inputCodeMax: 127, outputCodeMax: 31, weightUnitsPerOutputCode: [0.5, 2.0, -0.25])

    @Test("inputCode rounds value x inputCodeMax to the nearest code", arguments: [
        (Float(0), Int32(0)), (0.3, 38), (0.7, 89), (-0.7, -89), (0.004, 1), (-0.003, 0), (1, 127), (-1, -127),
    ])
    func rounds(value: Float, code: Int32) {
        #expect(readout.inputCode(for: value) == code)
    }

    @Test("inputCode clamps values beyond full scale to ±inputCodeMax", arguments: [
        (Float(1.01), Int32(127)), (2, 127), (1e30, 127), (.infinity, 127),
        (-1.01, -127), (-2, -127), (-1e30, -127), (-.infinity, -127),
    ])
    func clamps(value: Float, code: Int32) {
        #expect(readout.inputCode(for: value) == code)
    }

    @Test("an output code is scaled by its own column's factor")
    func perColumnScale() {
        #expect(readout.value(ofOutputCode: 10, column: 0) == 5.0)
        #expect(readout.value(ofOutputCode: 10, column: 1) == 20.0)
        #expect(readout.value(ofOutputCode: 10, column: 2) == -2.5)
        #expect(readout.value(ofOutputCode: -31, column: 1) == -62.0)
        #expect(readout.value(ofOutputCode: 0, column: 2) == 0)
    }
}

@Suite("CIMGeometry")
struct CIMGeometryTests {
    func geometry(dacBits: Int, adcBits: Int) -> CIMGeometry {
        CIMGeometry(tiles: 4, rows: 256, columns: 128, dacBits: dacBits, adcBits: adcBits, weightBits: 4, columnsPerADC: 8)
    }

    @Test("signed code range is ±(2^(bits-1) - 1)", arguments: [
        (2, Int32(1)), (4, 7), (6, 31), (8, 127), (12, 2047), (16, 32767),
    ])
    func codeMax(bits: Int, max: Int32) {
        #expect(geometry(dacBits: bits, adcBits: 8).inputCodeMax == max)
        #expect(geometry(dacBits: 8, adcBits: bits).outputCodeMax == max)
    }

    @Test("input and output ranges follow their own converter")
    func dacAndADCAreIndependent() {
        let g = geometry(dacBits: 8, adcBits: 6)
        #expect(g.inputCodeMax == 127)
        #expect(g.outputCodeMax == 31)
    }

    @Test("one full-tile MVM is rows x columns MACs")
    func macs() {
        #expect(geometry(dacBits: 8, adcBits: 6).macsPerTileMVM == 256 * 128)
    }
}
