/// A keyword-spotting model as a chain of layers over the input frames,
/// optionally ending in a softmax: the layer IR the ONNX importer produces,
/// the tile compiler places and `LayerInterpreter` runs on a float, CPU or
/// accelerator backend.
///
/// The frames (T x `frameSize`, row-major) enter as a 1 x T x frameSize
/// tensor. A recurrent layer may only come first (it reads the frames as a
/// sequence and any T runs); a network that starts otherwise is built for
/// `fixedFrames` frames.
public struct NeuralNetwork: Sendable, Hashable {
    public var frameSize: Int
    /// The frames per input a network without a leading recurrent layer
    /// takes; nil for one that starts with a GRU (any number runs).
    public var fixedFrames: Int?
    public var layers: [Layer]
    /// Whether the last layer's outputs go through a softmax.
    public var softmax: Bool
    /// The input's shape, then each layer's output shape.
    public private(set) var shapes: [TensorShape]

    public init(frameSize: Int, fixedFrames: Int?, layers: [Layer], softmax: Bool) throws(ModelError) {
        guard frameSize > 0 else { throw ModelError("frames must have at least one value, got \(frameSize)") }
        guard !layers.isEmpty else { throw ModelError("the model has no layers") }
        let recurrentFirst: Bool
        if case .recurrent = layers[0] { recurrentFirst = true } else { recurrentFirst = false }
        let frames: Int
        if recurrentFirst {
            frames = 1
        } else {
            guard let fixed = fixedFrames, fixed > 0 else {
                throw ModelError("a model that does not start with a GRU needs its number of frames")
            }
            frames = fixed
        }
        var shapes = [TensorShape(channels: 1, height: frames, width: frameSize)]
        for (n, layer) in layers.enumerated() {
            let input = shapes[n]
            guard let values = input.checkedCount, values <= Self.maximumTensorValues else {
                throw ModelError("\(n == 0 ? "the input" : "layer \(n - 1)'s output") \(input) has more than \(Self.maximumTensorValues) values, the most a tensor between layers may hold")
            }
            switch layer {
            case .recurrent(let g):
                guard n == 0 else { throw ModelError("layer \(n): a GRU must be the first layer, reading the frames (stacked recurrent layers are not supported)") }
                guard g.inputSize == frameSize else {
                    throw ModelError("layer 0: the GRU takes \(g.inputSize) values per frame; the frames have \(frameSize)")
                }
                shapes.append(.vector(g.hiddenSize))
            case .dense(let d):
                guard d.inputs == input.count else {
                    throw ModelError("layer \(n): dense layer takes \(d.inputs) inputs but gets \(input.count) (\(input))")
                }
                shapes.append(.vector(d.outputs))
            case .convolution(let c):
                guard c.inChannels == input.channels else {
                    throw ModelError("layer \(n): convolution takes \(c.inChannels) channels but gets \(input.channels) (\(input))")
                }
                guard let size = c.outputSize(height: input.height, width: input.width) else {
                    throw ModelError("layer \(n): the \(c.kernelHeight)x\(c.kernelWidth) kernel does not fit the padded \(input.height)x\(input.width) input")
                }
                shapes.append(TensorShape(channels: c.outChannels, height: size.height, width: size.width))
            case .averagePool:
                shapes.append(.vector(input.channels))
            }
        }
        if let last = shapes.last, (last.checkedCount ?? .max) > Self.maximumTensorValues {
            throw ModelError("the output \(last) has more than \(Self.maximumTensorValues) values, the most a tensor between layers may hold")
        }
        self.frameSize = frameSize
        self.fixedFrames = recurrentFirst ? nil : frames
        self.layers = layers
        self.softmax = softmax
        self.shapes = shapes
    }

    /// 2²⁶ floats (256 MiB): far above any keyword spotter's, and the runtimes
    /// allocate two tensors of the largest size.
    public static let maximumTensorValues = 1 << 26

    /// A GRU keyword spotter: the GRU over the frames, its last state through
    /// `head` (at least one dense layer).
    public init(gru: GRULayer, head: [DenseLayer], softmax: Bool = true) throws(ModelError) {
        guard !head.isEmpty else { throw ModelError("the model needs at least one dense layer after the GRU") }
        try self.init(frameSize: gru.inputSize, fixedFrames: nil, layers: [.recurrent(gru)] + head.map(Layer.dense), softmax: softmax)
    }

    public init(gru: GRULayer, classifier: DenseLayer) throws(ModelError) {
        try self.init(gru: gru, head: [classifier], softmax: true)
    }

    /// Number of outputs (classes).
    public var outputs: Int { shapes[shapes.count - 1].count }

    /// The model's layers and softmax in one line, as `cimfw compile` prints it.
    public var summary: String {
        layers.map(\.summary).joined(separator: ", ") + (softmax ? ", softmax" : "")
    }

    /// The leading GRU, if the model has one.
    public var recurrentLayer: GRULayer? {
        if case .recurrent(let g) = layers[0] { return g }
        return nil
    }

    /// The dense layers, in order.
    public var denseLayers: [DenseLayer] {
        layers.compactMap { if case .dense(let d) = $0 { return d } else { return nil } }
    }

    /// Times layer `n`'s weights are applied per inference of `frames`
    /// frames: GRU steps, a convolution's output positions, 1 for a dense layer.
    public func applications(ofLayer n: Int, frames: Int) -> Int {
        switch layers[n] {
        case .recurrent(let g): return g.steps(frames: frames)
        case .convolution: return shapes[n + 1].positions
        case .dense: return 1
        case .averagePool: return 0
        }
    }

    /// Multiply-accumulates the model itself needs per inference (no bias,
    /// no structural zeros: a depthwise kernel counts its own weights only).
    public func multiplyAccumulates(frames: Int) -> Int {
        var total = 0
        for (n, layer) in layers.enumerated() {
            switch layer {
            case .recurrent(let g):
                total += applications(ofLayer: n, frames: frames) * 3 * g.hiddenSize * (g.inputSize + g.hiddenSize)
            case .dense(let d):
                total += d.inputs * d.outputs
            case .convolution(let c):
                total += applications(ofLayer: n, frames: frames) * c.outChannels * c.rowsPerGroup
            case .averagePool:
                break
            }
        }
        return total
    }

    /// The largest tensor any layer produces.
    var largestTensor: Int { shapes.dropFirst().map(\.count).max() ?? 1 }
}
