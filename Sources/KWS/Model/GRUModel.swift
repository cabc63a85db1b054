/// A one-layer GRU keyword spotter as ONNX describes it: a GRU over the
/// MFCC frames, the last hidden state through a dense classifier, softmax.
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
    /// recurrent product (cuDNN, PyTorch), 0 before it (the ONNX default).
    public var linearBeforeReset: Bool

    public init(inputSize: Int, hiddenSize: Int, w: [Float], r: [Float], wb: [Float], rb: [Float],
                linearBeforeReset: Bool) throws(ModelError) {
        let h = hiddenSize, i = inputSize
        guard h > 0, i > 0 else { throw ModelError("GRU sizes must be positive, got input \(i), hidden \(h)") }
        for (name, array, count) in [("W", w, 3 * h * i), ("R", r, 3 * h * h), ("Wb", wb, 3 * h), ("Rb", rb, 3 * h)]
            where array.count != count {
            throw ModelError("GRU \(name) has \(array.count) values; \(name) of a GRU with input \(i) and hidden \(h) has \(count)")
        }
        self.inputSize = i
        self.hiddenSize = h
        self.w = w
        self.r = r
        self.wb = wb
        self.rb = rb
        self.linearBeforeReset = linearBeforeReset
    }
}

/// y = W x + b with W [outputs, inputs] row-major (ONNX Gemm with transB = 1).
public struct DenseLayer: Sendable, Hashable {
    public var inputs: Int
    public var outputs: Int
    public var w: [Float]
    public var b: [Float]

    public init(inputs: Int, outputs: Int, w: [Float], b: [Float]) throws(ModelError) {
        guard inputs > 0, outputs > 0, w.count == inputs * outputs, b.count == outputs else {
            throw ModelError("dense layer \(inputs)→\(outputs) needs \(inputs * outputs) weights and \(outputs) biases, got \(w.count) and \(b.count)")
        }
        self.inputs = inputs
        self.outputs = outputs
        self.w = w
        self.b = b
    }
}

public struct GRUModel: Sendable, Hashable {
    public var gru: GRULayer
    public var classifier: DenseLayer

    public init(gru: GRULayer, classifier: DenseLayer) throws(ModelError) {
        guard classifier.inputs == gru.hiddenSize else {
            throw ModelError("the classifier takes \(classifier.inputs) inputs but the GRU gives \(gru.hiddenSize)")
        }
        self.gru = gru
        self.classifier = classifier
    }
}

public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
