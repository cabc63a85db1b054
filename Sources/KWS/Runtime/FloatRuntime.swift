import CVectorMath
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
    private var resetHidden: [Float]
    private var vectorA: [Float]
    private var vectorB: [Float]

    public init(model: GRUModel) {
        self.model = model
        let h = model.gru.hiddenSize
        hidden = [Float](repeating: 0, count: h)
        next = hidden
        gates = [Float](repeating: 0, count: 3 * h)
        recurrent = [Float](repeating: 0, count: 3 * h)
        resetHidden = hidden
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
        g.w.withUnsafeBufferPointer { w in
            g.r.withUnsafeBufferPointer { r in
                for step in 0..<steps {
                    let x = (g.reverse ? steps - 1 - step : step) * i
                    // W x + Wb for all three gates; R h + Rb likewise.
                    hidden.withUnsafeBufferPointer { state in
                        for row in 0..<(3 * h) {
                            gates[row] = Float(Self.dot(Double(g.wb[row]), w, row * i, frames, x, i))
                            recurrent[row] = Float(Self.dot(Double(g.rb[row]), r, row * h, state, 0, h))
                        }
                    }
                    // z and r first: with linear_before_reset = 0 the candidate needs
                    // the whole reset vector before it can form R_h (r ⊙ h).
                    for k in 0..<(2 * h) { gates[k] = Activation.sigmoid.apply(gates[k] + recurrent[k]) }
                    if !g.linearBeforeReset {
                        for col in 0..<h { resetHidden[col] = gates[h + col] * hidden[col] }
                    }
                    resetHidden.withUnsafeBufferPointer { resetState in
                        for k in 0..<h {
                            let z = gates[k], reset = gates[h + k]
                            let candidate: Float
                            if g.linearBeforeReset {
                                candidate = Float.tanh(gates[2 * h + k] + reset * recurrent[2 * h + k])
                            } else {
                                let q = Self.dot(Double(g.rb[2 * h + k]), r, (2 * h + k) * h, resetState, 0, h)
                                candidate = Float.tanh(gates[2 * h + k] + Float(q))
                            }
                            next[k] = (1 - z) * candidate + z * hidden[k]
                        }
                    }
                    for k in 0..<h { hidden[k] = next[k] }
                }
            }
        }
        for k in 0..<h { vectorA[k] = hidden[k] }
        var width = h
        for layer in model.head {
            layer.w.withUnsafeBufferPointer { w in
                vectorA.withUnsafeBufferPointer { input in
                    for o in 0..<layer.outputs {
                        vectorB[o] = layer.activation.apply(Float(Self.dot(Double(layer.b[o]), w, o * width, input, 0, width)))
                    }
                }
            }
            swap(&vectorA, &vectorB)
            width = layer.outputs
        }
        for o in 0..<width { probabilities[o] = vectorA[o] }
        if model.softmax { Softmax.apply(probabilities) }
    }
}

extension FloatRuntime {
    /// initial + Σ a[aStart + k] · b[bStart + k] for k < n, in Double and in
    /// order (the model's shapes were checked when it was built).
    @inline(__always)
    static func dot(_ initial: Double, _ a: UnsafeBufferPointer<Float>, _ aStart: Int,
                    _ b: UnsafeBufferPointer<Float>, _ bStart: Int, _ n: Int) -> Double {
        guard n > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return initial }
        assert(aStart + n <= a.count && bStart + n <= b.count, "dot product past the end of its vector")
        return cimfw_dot_accumulate(initial, pa + aStart, pb + bStart, n)
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
