import CVectorMath
import RealModule

/// The float reference: runs a `NeuralNetwork` exactly as ONNX defines the
/// operators, in Float with sums in Double where cancellation would hurt.
/// Buffers are sized at creation; `classify` allocates nothing.
public final class FloatRuntime {
    private let interpreter: LayerInterpreter<FloatBackend>
    public var model: NeuralNetwork { interpreter.model }

    public init(model: NeuralNetwork) {
        interpreter = LayerInterpreter(backend: FloatBackend(model: model))
    }

    /// The model's outputs (class probabilities when it ends in a softmax)
    /// for `frames` (T x frameSize, row-major).
    public func classify(_ frames: UnsafeBufferPointer<Float>, into probabilities: UnsafeMutableBufferPointer<Float>) throws(ModelError) {
        try interpreter.classify(frames, into: probabilities)
    }
}

/// Every product a dot product in Double from the bias, in order.
final class FloatBackend: LayerBackend {
    let model: NeuralNetwork
    private let matrices: [MatrixBlock?]
    /// W x + Wb and R h + Rb, 3 x hidden each.
    private var inputProducts: [Float]
    private var recurrentProducts: [Float]

    init(model: NeuralNetwork) {
        self.model = model
        matrices = model.layers.map(MatrixBlock.init)
        let h = model.recurrentLayer?.hiddenSize ?? 0
        inputProducts = [Float](repeating: 0, count: 3 * h)
        recurrentProducts = inputProducts
    }

    static func invalidInput(_ message: String) -> ModelError { ModelError(message) }

    func multiply(layer: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) throws(ModelError) {
        guard let m = matrices[layer] else { throw ModelError("layer \(layer) is not a matrix layer") }
        let k = m.rowsPerGroup, perGroup = m.outputsPerGroup
        m.w.withUnsafeBufferPointer { w in
            m.b.withUnsafeBufferPointer { b in
                for o in 0..<m.outputs {
                    output[o] = Float(Self.dot(Double(b[o]), w, o * k, input + o / perGroup * k, k))
                }
            }
        }
    }

    func recurrentProducts(layer: Int, frame: UnsafePointer<Float>, state: UnsafePointer<Float>,
                           into products: RecurrentProducts) throws(ModelError) {
        guard case .recurrent(let g) = model.layers[layer] else { throw ModelError("layer \(layer) is not a GRU") }
        let h = g.hiddenSize, i = g.inputSize
        let recurrentRows = g.linearBeforeReset ? 3 * h : 2 * h
        g.w.withUnsafeBufferPointer { w in
            g.r.withUnsafeBufferPointer { r in
                for row in 0..<(3 * h) {
                    inputProducts[row] = Float(Self.dot(Double(g.wb[row]), w, row * i, frame, i))
                }
                for row in 0..<recurrentRows {
                    recurrentProducts[row] = Float(Self.dot(Double(g.rb[row]), r, row * h, state, h))
                }
            }
        }
        for k in 0..<(2 * h) { products.gates[k] = inputProducts[k] + recurrentProducts[k] }
        for k in 0..<h { products.candidateInput[k] = inputProducts[2 * h + k] }
        if g.linearBeforeReset {
            for k in 0..<h { products.candidateRecurrent[k] = recurrentProducts[2 * h + k] }
        }
    }

    func resetProduct(layer: Int, resetState: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) throws(ModelError) {
        guard case .recurrent(let g) = model.layers[layer] else { throw ModelError("layer \(layer) is not a GRU") }
        let h = g.hiddenSize
        g.r.withUnsafeBufferPointer { r in
            for k in 0..<h { output[k] = Float(Self.dot(Double(g.rb[2 * h + k]), r, (2 * h + k) * h, resetState, h)) }
        }
    }

    /// initial + Σ a[aStart + k] · b[k] for k < n, in Double and in order
    /// (the model's shapes were checked when it was built).
    @inline(__always)
    static func dot(_ initial: Double, _ a: UnsafeBufferPointer<Float>, _ aStart: Int, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
        guard n > 0, let pa = a.baseAddress else { return initial }
        assert(aStart + n <= a.count, "dot product past the end of its weights")
        return cimfw_dot_accumulate(initial, pa + aStart, b, n)
    }
}

/// Numerically stable softmax in place: the largest logit is subtracted first.
public enum Softmax {
    public static func apply(_ values: UnsafeMutableBufferPointer<Float>) {
        var largest = -Float.infinity
        for v in values { largest = max(largest, v) }
        var total: Float = 0
        for n in values.indices {
            values[n] = Float.exp(values[n] - largest)
            total += values[n]
        }
        for n in values.indices { values[n] /= total }
    }
}
