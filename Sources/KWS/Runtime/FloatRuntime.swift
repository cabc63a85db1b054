import RealModule

/// The float reference: runs a `GRUModel` exactly as ONNX defines the
/// operators, in Float with sums in Double where cancellation would hurt.
/// Buffers are sized at creation; `classify` allocates nothing.
public final class FloatRuntime {
    public let model: GRUModel
    private var hidden: [Float]
    private var next: [Float]
    private var gates: [Float]
    private var recurrent: [Float]
    private var vectorA: [Float]
    private var vectorB: [Float]

    public init(model: GRUModel) {
        self.model = model
        let h = model.gru.hiddenSize
        hidden = [Float](repeating: 0, count: h)
        next = hidden
        gates = [Float](repeating: 0, count: 3 * h)
        recurrent = [Float](repeating: 0, count: 3 * h)
        vectorA = [Float](repeating: 0, count: model.widestHeadVector)
        vectorB = vectorA
    }

    /// The model's outputs (class probabilities when it ends in a softmax)
    /// for `frames` (T x inputSize, row-major).
    public func classify(_ frames: UnsafeBufferPointer<Float>, into probabilities: UnsafeMutableBufferPointer<Float>) throws(ModelError) {
        let g = model.gru
        let h = g.hiddenSize, i = g.inputSize
        guard frames.count % i == 0, frames.count > 0 else {
            throw ModelError("\(frames.count) input values are not whole frames of \(i)")
        }
        guard probabilities.count == model.outputs else {
            throw ModelError("room for \(probabilities.count) outputs; the model has \(model.outputs)")
        }
        for k in 0..<h { hidden[k] = g.initialState[k] }
        let steps = g.steps(frames: frames.count / i)
        for step in 0..<steps {
            let x = (g.reverse ? steps - 1 - step : step) * i
            // W x + Wb for all three gates; R h + Rb likewise.
            for row in 0..<(3 * h) {
                var s = Double(g.wb[row])
                for col in 0..<i { s += Double(g.w[row * i + col]) * Double(frames[x + col]) }
                gates[row] = Float(s)
                var q = Double(g.rb[row])
                for col in 0..<h { q += Double(g.r[row * h + col]) * Double(hidden[col]) }
                recurrent[row] = Float(q)
            }
            // z and r first: with linear_before_reset = 0 the candidate needs
            // the whole reset vector before it can form R_h (r ⊙ h).
            for k in 0..<(2 * h) { gates[k] = Activation.sigmoid.apply(gates[k] + recurrent[k]) }
            for k in 0..<h {
                let z = gates[k], reset = gates[h + k]
                let candidate: Float
                if g.linearBeforeReset {
                    candidate = Float.tanh(gates[2 * h + k] + reset * recurrent[2 * h + k])
                } else {
                    var q = Double(g.rb[2 * h + k])
                    for col in 0..<h { q += Double(g.r[(2 * h + k) * h + col]) * Double(gates[h + col] * hidden[col]) }
                    candidate = Float.tanh(gates[2 * h + k] + Float(q))
                }
                next[k] = (1 - z) * candidate + z * hidden[k]
            }
            for k in 0..<h { hidden[k] = next[k] }
        }
        for k in 0..<h { vectorA[k] = hidden[k] }
        var width = h
        for layer in model.head {
            for o in 0..<layer.outputs {
                var s = Double(layer.b[o])
                for k in 0..<width { s += Double(layer.w[o * width + k]) * Double(vectorA[k]) }
                vectorB[o] = layer.activation.apply(Float(s))
            }
            swap(&vectorA, &vectorB)
            width = layer.outputs
        }
        for o in 0..<width { probabilities[o] = vectorA[o] }
        if model.softmax { Softmax.apply(probabilities) }
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
