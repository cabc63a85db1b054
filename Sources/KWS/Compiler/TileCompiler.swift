import CIMHAL

public struct CompileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Maps a `NeuralNetwork` onto tiles of a `CIMGeometry`.
///
/// Every weight matrix becomes a crossbar matrix with inputs on rows and
/// outputs on columns (differential pairs per column are the accelerator's
/// business: it maps signed weights to a conductance pair and scales each
/// column, `TileReadout` says how). Biases ride on rows driven by a constant
/// full-scale input. A matrix larger than a tile is split into row and
/// column blocks, one tile each; the partial sums of row blocks are added
/// digitally. A convolution is weight-stationary: its kernel is one matrix
/// (rows: the patch under the kernel, input channel by kernel row by column;
/// columns: output channels) that every output position multiplies in turn
/// (im2col), a depthwise kernel a block-diagonal one. Activations, pooling
/// and the GRU's gate arithmetic run in the digital periphery (here, the host).
public enum TileCompiler {
    public struct Options: Sendable, Hashable {
        public var frameFullScale: Float = 4
        /// Upper bound on rows spent on one matrix's bias.
        public var maxBiasRows: Int = 16
        /// Upper bound on copies of each frame input (see `CrossbarMatrix.inputReplicas`).
        public var maxInputReplicas: Int = 3
        public init() {}
    }

    /// `faults` (by tile, from `FaultScan`) moves each block onto the
    /// tile's rows and columns with the fewest stuck-on pairs, most used
    /// rows (bias, then hidden state) on the cleanest, and hands the weights
    /// of stuck-off pairs to the digital periphery.
    public static func compile(_ model: NeuralNetwork, for geometry: CIMGeometry, faults: [TileFaultMap] = [],
                               options: Options = Options()) throws(CompileError) -> CompiledModel {
        guard geometry.rows >= 2, geometry.columns >= 1, geometry.tiles >= 1 else {
            throw CompileError(message: "geometry \(geometry.rows)x\(geometry.columns) x \(geometry.tiles) tiles cannot hold a model")
        }
        guard options.frameFullScale > 0, options.frameFullScale.isFinite, options.maxBiasRows >= 1 else {
            throw CompileError(message: "frame full scale \(options.frameFullScale) must be positive and bias rows \(options.maxBiasRows) at least 1")
        }
        let s = options.frameFullScale
        let biasRows = min(options.maxBiasRows, max(1, geometry.rows / 8))
        var matrices: [CrossbarMatrix] = []
        let lastMatrixLayer = model.layers.lastIndex { MatrixBlock($0) != nil }
        var denseLayers = 0, convolutions = 0
        for (n, layer) in model.layers.enumerated() {
            switch layer {
            case .recurrent(let g):
                matrices += recurrentMatrices(g, layer: n, geometry: geometry, frameFullScale: s, biasRows: biasRows, options: options)
            case .dense, .convolution:
                guard let block = MatrixBlock(layer) else { continue }
                let name: String
                if n == lastMatrixLayer {
                    name = "classifier"
                } else if case .convolution(let c) = layer {
                    name = (c.isDepthwise ? "dwconv" : "conv") + "\(convolutions)"
                } else {
                    name = "dense\(denseLayers)"
                }
                if case .convolution = layer { convolutions += 1 } else { denseLayers += 1 }
                matrices.append(CrossbarMatrix(
                    name: name, role: .matrix(layer: n), dataRows: block.inputs, outputs: block.outputs, maxBiasRows: biasRows,
                    weight: { row, column in block.weight(row: row, column: column) },
                    bias: { column in block.b[column] }))
            case .averagePool:
                continue
            }
        }
        var pieces: [TilePiece] = []
        for (index, m) in matrices.enumerated() {
            for rows in balancedBlocks(m.rows, geometry.rows) {
                for columns in balancedBlocks(m.outputs, geometry.columns) {
                    pieces.append(TilePiece(matrix: index, tile: pieces.count, rowStart: rows.lowerBound, rowCount: rows.count,
                                            columnStart: columns.lowerBound, columnCount: columns.count))
                }
            }
        }
        guard pieces.count <= geometry.tiles else {
            throw CompileError(message: "the model needs \(pieces.count) tiles of \(geometry.rows)x\(geometry.columns); the board has \(geometry.tiles)")
        }
        for map in faults {
            guard map.rows == geometry.rows, map.columns == geometry.columns, map.faults.count == map.rows * map.columns else {
                throw CompileError(message: "fault map of tile \(map.tile) is \(map.rows)x\(map.columns); the tiles are \(geometry.rows)x\(geometry.columns)")
            }
            guard let n = pieces.firstIndex(where: { $0.tile == map.tile }) else { continue }
            place(&pieces[n], matrices[pieces[n].matrix], avoiding: map)
        }
        return CompiledModel(model: model, geometry: geometry, frameFullScale: s, matrices: matrices, pieces: pieces)
    }

    /// A GRU's matrices: the gates in one pass, and the candidate's
    /// recurrent product on its own with linear_before_reset = 0.
    static func recurrentMatrices(_ g: GRULayer, layer: Int, geometry: CIMGeometry, frameFullScale s: Float, biasRows: Int,
                                  options: Options) -> [CrossbarMatrix] {
        let h = g.hiddenSize, i = g.inputSize
        var matrices: [CrossbarMatrix] = []
        // One pass per step: rows [x/s repeated; h; bias]. The frame's few
        // inputs are repeated (weight split over the copies) so their
        // columns (W_h x) sum to more than a fraction of one ADC step; W_h x
        // and R_h h get columns of their own because the reset gate scales
        // only the second (linear_before_reset = 1).
        let replicas = max(1, min(options.maxInputReplicas, (geometry.rows - h - biasRows) / i))
        let xRows = i * replicas
        var gates = CrossbarMatrix(
            name: "gru.gates", role: .gruGates(layer: layer), dataRows: xRows + h, outputs: g.linearBeforeReset ? 4 * h : 3 * h,
            maxBiasRows: biasRows,
            weight: { row, column in
                let gate = column / h, k = column % h
                if row < xRows {  // ONNX W[(gate·H + k)·I + col], driven by x / s on every copy
                    return gate == 3 ? 0 : g.w[(gate * h + k) * i + row % i] * s / Float(replicas)
                }
                if gate == 2 { return 0 }  // W_h x only
                return g.r[((gate == 3 ? 2 : gate) * h + k) * h + row - xRows]
            },
            bias: { column in
                let gate = column / h, k = column % h
                switch gate {
                case 0, 1: return g.wb[gate * h + k] + g.rb[gate * h + k]
                case 2: return g.wb[2 * h + k]
                default: return g.rb[2 * h + k]
                }
            })
        gates.inputReplicas = replicas
        matrices.append(gates)
        if !g.linearBeforeReset {
            matrices.append(CrossbarMatrix(
                name: "gru.candidate", role: .gruCandidate(layer: layer), dataRows: h, outputs: h, maxBiasRows: biasRows,
                weight: { row, column in g.r[(2 * h + column) * h + row] },
                bias: { column in g.rb[2 * h + column] }))
        }
        return matrices
    }

    /// Chooses the block's physical columns, then rows, with the fewest
    /// stuck-on pairs under them, and moves stuck-off pairs' weights to digital.
    static func place(_ piece: inout TilePiece, _ matrix: CrossbarMatrix, avoiding map: TileFaultMap) {
        let allRows = Array(0..<map.rows), allColumns = Array(0..<map.columns)
        func stuckOn(row: Int, columns: [Int]) -> Int { columns.reduce(0) { $0 + (map[row, $1].isStuckOn ? 1 : 0) } }
        func stuckOn(column: Int, rows: [Int]) -> Int { rows.reduce(0) { $0 + (map[$1, column].isStuckOn ? 1 : 0) } }
        // Stable sorts: ties keep the natural order, so a clean tile maps as the identity.
        let columns = allColumns.sorted { stuckOn(column: $0, rows: allRows) < stuckOn(column: $1, rows: allRows) }
            .prefix(piece.columnCount).sorted()
        // Rows come from the first blocks of 8 plus two spare blocks: a block
        // packed into few rows keeps the array's active part small (the
        // simulator, like a row-gated array, pays per driven block), and
        // stuck-on pairs that remain are corrected digitally.
        let candidates = Array(allRows.prefix(min(map.rows, (piece.rowCount + 7) / 8 * 8 + 16)))
        let cleanest = candidates.sorted { stuckOn(row: $0, columns: columns) < stuckOn(row: $1, columns: columns) }
            .prefix(piece.rowCount)
        // Bias rows (always driven at full scale) first, then from the last
        // data row down: for the GRU that is the hidden state before the frame.
        let logicalByImportance = (0..<piece.rowCount).sorted { a, b in
            let ra = piece.rowStart + a, rb = piece.rowStart + b
            let biasA = ra >= matrix.dataRows, biasB = rb >= matrix.dataRows
            return biasA != biasB ? biasA : ra > rb
        }
        var physicalRows = [Int](repeating: 0, count: piece.rowCount)
        for (logical, physical) in zip(logicalByImportance, cleanest) { physicalRows[logical] = physical }
        // Keep the physical order of rows for the clean case (identity map).
        if Set(physicalRows) == Set(0..<piece.rowCount) && cleanest.allSatisfy({ stuckOn(row: $0, columns: columns) == 0 }) {
            physicalRows = Array(0..<piece.rowCount)
        }
        piece.physicalRows = physicalRows
        piece.physicalColumns = Array(columns)
        piece.digitalWeights = []
        piece.stuckOnPairsUsed = 0
        for r in 0..<piece.rowCount {
            for c in 0..<piece.columnCount {
                let w = matrix.weights[(piece.rowStart + r) * matrix.outputs + piece.columnStart + c]
                switch map[physicalRows[r], piece.physicalColumns[c]] {
                case .healthy: break
                case let fault where fault.isStuckOn:
                    piece.stuckOnPairsUsed += 1
                    piece.digitalWeights.append(.init(row: r, column: c, weight: w, stuckOnSign: fault == .positiveStuckOn ? 1 : -1,
                                                      codesPerFullWeight: map.codesPerFullWeight[piece.physicalColumns[c]]))
                case let fault:
                    // A stuck-off cell still holds weights of the other sign.
                    if (fault == .positiveStuckOff && w > 0) || (fault == .negativeStuckOff && w < 0) {
                        piece.digitalWeights.append(.init(row: r, column: c, weight: w))
                    }
                }
            }
        }
    }

    /// `count` split into the fewest blocks of at most `limit`, sizes as equal as possible.
    static func balancedBlocks(_ count: Int, _ limit: Int) -> [Range<Int>] {
        let blocks = (count + limit - 1) / limit
        var ranges: [Range<Int>] = []
        var start = 0
        for b in 0..<blocks {
            let size = count / blocks + (b < count % blocks ? 1 : 0)
            ranges.append(start..<(start + size))
            start += size
        }
        return ranges
    }
}
