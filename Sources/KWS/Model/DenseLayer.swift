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
