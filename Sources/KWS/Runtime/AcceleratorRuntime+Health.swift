import CIMHAL

/// How far a tile's multiplies are from the weights the plan meant it to
/// hold: the firmware's check that a tile still deserves its place.
public struct TileHealth: Sendable, Hashable, Codable {
    public var tile: Int
    /// RMS of (measured − intended) over RMS of intended, across the
    /// columns the plan uses and every probe vector.
    public var errorRelative: Double
    public var vectors: Int
}

extension AcceleratorRuntime {
    /// Drives `vectors` pseudo-random inputs (fixed by `seed`) through each
    /// tile the model uses and compares the readout with the intended
    /// product of the programmed weight matrix. Calibration, drift, stuck
    /// cells and noise all show in the result; a tile whose error has grown
    /// past what programming achieved needs rewriting.
    public func tileHealth(vectors: Int = 8, seed: UInt64 = 1) throws(HALError) -> [TileHealth] {
        guard vectors > 0 else { throw .invalidArgument("a tile health check needs at least one vector, got \(vectors)") }
        let geometry = compiled.geometry
        var results: [TileHealth] = []
        var generator = SplitMix64(state: seed)
        var input = [Int32](repeating: 0, count: geometry.rows)
        var output = [Int32](repeating: 0, count: geometry.columns)
        for (n, piece) in compiled.pieces.enumerated() {
            let weights = try compiled.weights(of: piece)
            let readout = programming[n].readout
            let codeMax = readout.inputCodeMax
            var errorSquares = 0.0, signalSquares = 0.0
            for _ in 0..<vectors {
                for r in input.indices { input[r] = 0 }
                for r in piece.physicalRows {
                    // Uniform over the full input range, like the reference inputs.
                    input[r] = Int32(truncatingIfNeeded: Int64(generator.next() % UInt64(2 * Int64(codeMax) + 1)) - Int64(codeMax))
                }
                try accelerator.multiply(tile: piece.tile, inputCodes: input, into: &output)
                for c in Set(piece.physicalColumns).sorted() {
                    var intended = 0.0
                    for r in piece.physicalRows {
                        intended += Double(weights[r, c]) * Double(input[r]) / Double(codeMax)
                    }
                    let measured = readout.value(ofOutputCode: output[c], column: c)
                    errorSquares += (measured - intended) * (measured - intended)
                    signalSquares += intended * intended
                }
            }
            let error = signalSquares > 0 ? (errorSquares / signalSquares).squareRoot() : 0
            results.append(TileHealth(tile: piece.tile, errorRelative: error, vectors: vectors))
        }
        return results
    }
}

/// Vigna's SplitMix64: a tiny seeded generator for probe patterns.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1330_11EB
        return z ^ (z >> 31)
    }
}
