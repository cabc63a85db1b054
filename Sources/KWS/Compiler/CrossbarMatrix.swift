/// One weight matrix of the model as a crossbar holds it: rows are inputs
/// (the data rows, then bias rows driven by a constant full-scale input),
/// columns are outputs, row-major [rows x outputs].
public struct CrossbarMatrix: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        /// Layer `layer`'s GRU step in one pass: rows [x/s repeated
        /// `inputReplicas` times; h; bias], columns [z | r | W_h x | R_h h]
        /// (linear_before_reset = 1) or [z | r | W_h x] (linear_before_reset = 0).
        case gruGates(layer: Int)
        /// linear_before_reset = 0 only: rows [r ⊙ h; bias], columns R_h (r ⊙ h) + Rb_h.
        case gruCandidate(layer: Int)
        /// A dense layer (rows [input; bias]) or a convolution, weight-stationary:
        /// rows [patch under the kernel; bias], columns the output channels, one
        /// MVM per output position (im2col). A grouped (depthwise) kernel is
        /// block-diagonal: each output channel's column holds weights only on
        /// its own channels' rows.
        case matrix(layer: Int)

        public var layer: Int {
            switch self {
            case .gruGates(let n), .gruCandidate(let n), .matrix(let n): return n
            }
        }
    }

    public var name: String
    public var role: Role
    /// Rows driven by data.
    public var dataRows: Int
    /// How many times each input drives a row (the weight split evenly
    /// over the copies): the column sum grows with the copies while the
    /// ADC step does not, so small inputs are read with more resolution.
    public var inputReplicas: Int = 1
    /// Rows driven by the constant 1 that together hold the bias. A bias
    /// larger than the column's largest weight is split over several rows,
    /// so it does not set the column's scale and coarsen every weight.
    public var biasRows: Int
    public var outputs: Int
    public var weights: [Float]

    public var rows: Int { dataRows + biasRows }

    /// Builds the matrix from a weight function over data rows and a bias
    /// per output; the number of bias rows is chosen here (at most `maxBiasRows`).
    init(name: String, role: Role, dataRows: Int, outputs: Int, maxBiasRows: Int,
         weight: (_ row: Int, _ column: Int) -> Float, bias: (_ column: Int) -> Float) {
        var largestWeight = [Float](repeating: 0, count: outputs)
        var data = [Float](repeating: 0, count: dataRows * outputs)
        for i in 0..<dataRows {
            for j in 0..<outputs {
                let w = weight(i, j)
                data[i * outputs + j] = w
                largestWeight[j] = max(largestWeight[j], abs(w))
            }
        }
        let biases = (0..<outputs).map(bias)
        var share = 1
        for j in 0..<outputs where biases[j] != 0 {
            let needed = largestWeight[j] > 0 ? Int((abs(biases[j]) / largestWeight[j]).rounded(.up)) : 1
            share = max(share, min(maxBiasRows, needed))
        }
        for _ in 0..<share { data += biases.map { $0 / Float(share) } }
        self.name = name
        self.role = role
        self.dataRows = dataRows
        self.biasRows = share
        self.outputs = outputs
        self.weights = data
    }
}

extension CrossbarMatrix {
    /// The matrix's shape with zero weights: what a sequencer running a
    /// program knows of it (the weights are in the tiles).
    init(name: String, role: Role, dataRows: Int, inputReplicas: Int, biasRows: Int, outputs: Int) {
        self.name = name
        self.role = role
        self.dataRows = dataRows
        self.inputReplicas = inputReplicas
        self.biasRows = biasRows
        self.outputs = outputs
        weights = [Float](repeating: 0, count: (dataRows + biasRows) * outputs)
    }
}

/// Where one block of a matrix sits: rows rowStart..< and columns
/// columnStart..< of the matrix, on the tile's physical rows and columns
/// `physicalRows` and `physicalColumns` (in order; the identity unless a
/// fault map moved them off stuck cells).
public struct TilePiece: Sendable, Hashable, Codable {
    /// A weight the array does not hold (its pair is stuck): the tile holds
    /// 0 there and the digital periphery adds weight × input instead. A
    /// stuck-on pair also adds ±one full-range weight of its column, which
    /// the periphery takes off (`stuckOnSign`, `codesPerFullWeight` from the scan).
    public struct DigitalWeight: Sendable, Hashable, Codable {
        public var row: Int
        public var column: Int
        public var weight: Float
        public var stuckOnSign: Float = 0
        public var codesPerFullWeight: Double = 0
    }

    public var matrix: Int
    public var tile: Int
    public var rowStart: Int
    public var rowCount: Int
    public var columnStart: Int
    public var columnCount: Int
    public var physicalRows: [Int]
    public var physicalColumns: [Int]
    public var digitalWeights: [DigitalWeight] = []
    /// Stuck-on pairs left under the block (more than the spare rows near
    /// it could avoid), corrected digitally.
    public var stuckOnPairsUsed: Int = 0

    public init(matrix: Int, tile: Int, rowStart: Int, rowCount: Int, columnStart: Int, columnCount: Int) {
        self.matrix = matrix
        self.tile = tile
        self.rowStart = rowStart
        self.rowCount = rowCount
        self.columnStart = columnStart
        self.columnCount = columnCount
        physicalRows = Array(0..<rowCount)
        physicalColumns = Array(0..<columnCount)
    }
}
