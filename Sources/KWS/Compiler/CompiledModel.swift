import CIMHAL

/// A model mapped onto an accelerator's tiles: the crossbar matrices, where
/// each block of them sits, and how inputs become DAC codes.
public struct CompiledModel: Sendable {
    public var model: NeuralNetwork
    public var geometry: CIMGeometry
    /// The input frame value that maps to full-scale DAC input. Features are
    /// normalised to unit variance, so ±4 σ keeps nearly every frame in range;
    /// an MVM whose input exceeds full scale is scaled down as a whole
    /// (abs-max input management, as aihwkit's noise management does) rather than clipped.
    public var frameFullScale: Float
    public var matrices: [CrossbarMatrix]
    public var pieces: [TilePiece]

    public var tilesUsed: Int { pieces.count }

    /// Mapped cells over the cells of the tiles used.
    public var utilisation: Double {
        let mapped = pieces.reduce(0) { $0 + $1.rowCount * $1.columnCount }
        return Double(mapped) / Double(max(1, tilesUsed * geometry.rows * geometry.columns))
    }

    /// What `piece`'s tile is programmed with: its block of the matrix on
    /// the physical rows and columns the plan chose, zero under weights done
    /// digitally and everywhere else.
    public func weights(of piece: TilePiece) throws(HALError) -> WeightMatrix {
        let m = matrices[piece.matrix]
        let rows = (piece.physicalRows.max() ?? 0) + 1, columns = (piece.physicalColumns.max() ?? 0) + 1
        var values = [Float](repeating: 0, count: rows * columns)
        for r in 0..<piece.rowCount {
            for c in 0..<piece.columnCount {
                values[piece.physicalRows[r] * columns + piece.physicalColumns[c]] = m.weights[(piece.rowStart + r) * m.outputs + piece.columnStart + c]
            }
        }
        for d in piece.digitalWeights { values[piece.physicalRows[d.row] * columns + piece.physicalColumns[d.column]] = 0 }
        return try WeightMatrix(rows: rows, columns: columns, values: values)
    }

    public var digitalWeights: Int { pieces.reduce(0) { $0 + $1.digitalWeights.count } }
    public var stuckOnPairsUsed: Int { pieces.reduce(0) { $0 + $1.stuckOnPairsUsed } }

    /// Tile multiplies one inference of `frames` frames takes: each piece
    /// once per application of its layer (GRU steps, convolution positions).
    public func tileMultipliesPerInference(frames: Int) -> Int {
        pieces.reduce(0) { $0 + model.applications(ofLayer: matrices[$1.matrix].role.layer, frames: frames) }
    }

    /// Multiply-accumulates the model itself needs per inference (no bias
    /// rows, no structural zeros), for throughput figures.
    public func modelMACsPerInference(frames: Int) -> Int {
        model.multiplyAccumulates(frames: frames)
    }
}
