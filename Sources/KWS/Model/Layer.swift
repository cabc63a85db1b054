/// One layer of a `NeuralNetwork`: what the ONNX importer produces and the
/// tile compiler and the runtimes consume.
///
/// Three kinds: matrix layers (dense, convolution: one weight matrix applied
/// at one or many positions, which the compiler places on tiles), a
/// recurrent cell (the GRU, whose gate products are matrix blocks and whose
/// gate arithmetic is elementwise), and host operations (average pooling),
/// which the digital periphery does.
public enum Layer: Sendable, Hashable {
    case recurrent(GRULayer)
    case dense(DenseLayer)
    case convolution(ConvolutionLayer)
    /// The mean over height and width of each channel.
    case averagePool

    /// What a summary line calls the layer ("GRU 10→64 (linear_before_reset=1)", "dense 64→12 relu").
    public var summary: String {
        func activated(_ a: Activation) -> String { a == .identity ? "" : " \(a.rawValue)" }
        switch self {
        case .recurrent(let g):
            return "GRU \(g.inputSize)→\(g.hiddenSize) (linear_before_reset=\(g.linearBeforeReset ? 1 : 0))"
        case .dense(let d):
            return "dense \(d.inputs)→\(d.outputs)\(activated(d.activation))"
        case .convolution(let c):
            let kind = c.isDepthwise ? "depthwise \(c.inChannels)" : "conv \(c.inChannels)→\(c.outChannels)"
            let stride = c.strideY == 1 && c.strideX == 1 ? "" : " stride \(c.strideY)x\(c.strideX)"
            return "\(kind) \(c.kernelHeight)x\(c.kernelWidth)\(stride)\(activated(c.activation))"
        case .averagePool:
            return "average pool"
        }
    }
}

/// A tensor between layers, channels x height x width, row-major (ONNX's
/// NCHW with batch 1). The frames enter as 1 x T x features; a vector is
/// n x 1 x 1.
public struct TensorShape: Sendable, Hashable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    public static func vector(_ n: Int) -> TensorShape { TensorShape(channels: n, height: 1, width: 1) }
    public var count: Int { channels * height * width }
    /// `count`, or nil when it does not fit in an Int.
    var checkedCount: Int? {
        let area = height.multipliedReportingOverflow(by: width)
        let all = channels.multipliedReportingOverflow(by: area.partialValue)
        return area.overflow || all.overflow ? nil : all.partialValue
    }
    public var positions: Int { height * width }
    public var description: String { "\(channels)x\(height)x\(width)" }
}

/// A matrix layer seen as the matrix it is: output o is
/// b[o] + Σ_k w[o·rowsPerGroup + k] · input[g·rowsPerGroup + k] with g = o / outputsPerGroup.
/// A dense layer is one group over its whole input; a convolution's input
/// is the patch under the kernel at one output position, channel by channel
/// (so each group's channels are consecutive), then kernel row, then column.
struct MatrixBlock {
    var w: [Float]
    var b: [Float]
    var rowsPerGroup: Int
    var groups: Int
    var outputs: Int
    var activation: Activation

    var outputsPerGroup: Int { outputs / groups }
    var inputs: Int { rowsPerGroup * groups }

    init?(_ layer: Layer) {
        switch layer {
        case .dense(let d):
            self.init(w: d.w, b: d.b, rowsPerGroup: d.inputs, groups: 1, outputs: d.outputs, activation: d.activation)
        case .convolution(let c):
            self.init(w: c.w, b: c.b, rowsPerGroup: c.rowsPerGroup, groups: c.groups, outputs: c.outChannels, activation: c.activation)
        case .recurrent, .averagePool:
            return nil
        }
    }

    init(w: [Float], b: [Float], rowsPerGroup: Int, groups: Int, outputs: Int, activation: Activation) {
        self.w = w
        self.b = b
        self.rowsPerGroup = rowsPerGroup
        self.groups = groups
        self.outputs = outputs
        self.activation = activation
    }

    /// The weight of the whole (block-diagonal) matrix at data row `row`, output `column`.
    func weight(row: Int, column: Int) -> Float {
        row / rowsPerGroup == column / outputsPerGroup ? w[column * rowsPerGroup + row % rowsPerGroup] : 0
    }
}
