import RealModule

/// A one-layer GRU keyword spotter as ONNX describes it: a GRU over the
/// MFCC frames, its last hidden state through a stack of dense layers, and
/// optionally a softmax.
///
/// Weights keep ONNX's layout and gate order (z, r, h): W is [3H, I], R is
/// [3H, H], biases Wb and Rb are [3H], all row-major, so an import copies
/// them as they are.
public struct GRULayer: Sendable, Hashable {
    public var inputSize: Int
    public var hiddenSize: Int
    public var w: [Float]
    public var r: [Float]
    public var wb: [Float]
    public var rb: [Float]
    /// ONNX `linear_before_reset`: 1 applies the reset gate after the
    /// recurrent product (cuDNN, PyTorch, Keras `reset_after`), 0 before it
    /// (the ONNX default).
    public var linearBeforeReset: Bool
    /// ONNX `initial_h` for batch 1: [H]; zeros when the model gives none.
    public var initialState: [Float]
    /// ONNX `sequence_lens` for batch 1: only the first n frames are run and
    /// the output is the state after them. Nil runs every frame.
    public var sequenceLength: Int?
    /// ONNX `direction = "reverse"`: frames are read last to first.
    public var reverse: Bool

    public init(inputSize: Int, hiddenSize: Int, w: [Float], r: [Float], wb: [Float], rb: [Float],
                linearBeforeReset: Bool, initialState: [Float]? = nil, sequenceLength: Int? = nil,
                reverse: Bool = false) throws(ModelError) {
        let h = hiddenSize, i = inputSize
        guard h > 0, i > 0 else { throw ModelError("GRU sizes must be positive, got input \(i), hidden \(h)") }
        for (name, array, count) in [("W", w, 3 * h * i), ("R", r, 3 * h * h), ("Wb", wb, 3 * h), ("Rb", rb, 3 * h),
                                     ("initial_h", initialState ?? [Float](repeating: 0, count: h), h)]
            where array.count != count {
            throw ModelError("GRU \(name) has \(array.count) values; \(name) of a GRU with input \(i) and hidden \(h) has \(count)")
        }
        for (name, array) in [("W", w), ("R", r), ("Wb", wb), ("Rb", rb), ("initial_h", initialState ?? [])] {
            if let bad = array.firstIndex(where: { !$0.isFinite }) {
                throw ModelError("GRU \(name)[\(bad)] is \(array[bad]), expected a finite number")
            }
        }
        if let n = sequenceLength, n < 1 {
            throw ModelError("GRU sequence length \(n) must be at least 1")
        }
        self.inputSize = i
        self.hiddenSize = h
        self.w = w
        self.r = r
        self.wb = wb
        self.rb = rb
        self.linearBeforeReset = linearBeforeReset
        self.initialState = initialState ?? [Float](repeating: 0, count: h)
        self.sequenceLength = sequenceLength
        self.reverse = reverse
    }

    /// Frames run for an input of `frames` frames.
    public func steps(frames: Int) -> Int { min(frames, sequenceLength ?? frames) }
}

/// The elementwise function a dense layer applies to its output, done in
/// the digital periphery on an accelerator.
public enum Activation: String, Sendable, Hashable, CaseIterable {
    case identity, relu, sigmoid, tanh

    @inline(__always)
    public func apply(_ x: Float) -> Float {
        switch self {
        case .identity: return x
        case .relu: return max(0, x)
        case .sigmoid: return 1 / (1 + Float.exp(-x))
        case .tanh: return Float.tanh(x)
        }
    }
}

/// y = f(W x + b) with W [outputs, inputs] row-major (ONNX Gemm with transB = 1).
public struct DenseLayer: Sendable, Hashable {
    public var inputs: Int
    public var outputs: Int
    public var w: [Float]
    public var b: [Float]
    public var activation: Activation

    public init(inputs: Int, outputs: Int, w: [Float], b: [Float], activation: Activation = .identity) throws(ModelError) {
        guard inputs > 0, outputs > 0, w.count == inputs * outputs, b.count == outputs else {
            throw ModelError("dense layer \(inputs)→\(outputs) needs \(inputs * outputs) weights and \(outputs) biases, got \(w.count) and \(b.count)")
        }
        for (name, array) in [("weight", w), ("bias", b)] {
            if let bad = array.firstIndex(where: { !$0.isFinite }) {
                throw ModelError("dense layer \(name)[\(bad)] is \(array[bad]), expected a finite number")
            }
        }
        self.inputs = inputs
        self.outputs = outputs
        self.w = w
        self.b = b
        self.activation = activation
    }
}

public struct GRUModel: Sendable, Hashable {
    public var gru: GRULayer
    /// Dense layers after the GRU, in order; at least one.
    public var head: [DenseLayer]
    /// Whether the last layer's outputs go through a softmax.
    public var softmax: Bool

    public init(gru: GRULayer, head: [DenseLayer], softmax: Bool = true) throws(ModelError) {
        guard !head.isEmpty else { throw ModelError("the model needs at least one dense layer after the GRU") }
        var width = gru.hiddenSize
        for (n, layer) in head.enumerated() {
            guard layer.inputs == width else {
                throw ModelError("dense layer \(n) takes \(layer.inputs) inputs but gets \(width)")
            }
            width = layer.outputs
        }
        self.gru = gru
        self.head = head
        self.softmax = softmax
    }

    public init(gru: GRULayer, classifier: DenseLayer) throws(ModelError) {
        try self.init(gru: gru, head: [classifier], softmax: true)
    }

    /// Number of outputs (classes).
    public var outputs: Int { head[head.count - 1].outputs }
    /// The widest vector the head passes between layers.
    var widestHeadVector: Int { head.reduce(gru.hiddenSize) { max($0, $1.outputs) } }
}

public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
