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
    private var logits: [Float]

    public init(model: GRUModel) {
        self.model = model
        let h = model.gru.hiddenSize
        hidden = [Float](repeating: 0, count: h)
        next = hidden
        gates = [Float](repeating: 0, count: 3 * h)
        recurrent = [Float](repeating: 0, count: 3 * h)
        logits = [Float](repeating: 0, count: model.classifier.outputs)
    }

    /// Class probabilities for `frames` (T x inputSize, row-major), from a zero initial state.
    public func classify(_ frames: UnsafeBufferPointer<Float>, into probabilities: UnsafeMutableBufferPointer<Float>) throws(ModelError) {
        let g = model.gru, c = model.classifier
        let h = g.hiddenSize, i = g.inputSize
        guard frames.count % i == 0, frames.count > 0 else {
            throw ModelError("\(frames.count) input values are not whole frames of \(i)")
        }
        guard probabilities.count == c.outputs else {
            throw ModelError("room for \(probabilities.count) probabilities; the model has \(c.outputs) classes")
        }
        for k in 0..<h { hidden[k] = 0 }
        for t in 0..<(frames.count / i) {
            let x = t * i
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
            for k in 0..<(2 * h) { gates[k] = sigmoid(gates[k] + recurrent[k]) }
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
        var largest = -Float.infinity
        for o in 0..<c.outputs {
            var s = Double(c.b[o])
            for k in 0..<h { s += Double(c.w[o * h + k]) * Double(hidden[k]) }
            logits[o] = Float(s)
            largest = max(largest, logits[o])
        }
        var total: Float = 0
        for o in 0..<c.outputs {
            probabilities[o] = Float.exp(logits[o] - largest)
            total += probabilities[o]
        }
        for o in 0..<c.outputs { probabilities[o] /= total }
    }

    @inline(__always)
    private func sigmoid(_ x: Float) -> Float { 1 / (1 + Float.exp(-x)) }
}
