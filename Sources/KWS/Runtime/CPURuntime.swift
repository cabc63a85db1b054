import RealModule

/// The model as a CPU deployment runs it: Float32 throughout, eight-lane
/// SIMD dot products over each weight row, no bounds checks on the hot
/// path. It is the digital baseline a buyer would compare a CIM board
/// against (the reference `FloatRuntime` keeps Double sums for exactness
/// and is several times slower). Outputs agree with the reference to
/// float rounding (`CPURuntimeTests`). Buffers are sized at creation;
/// `classify` allocates nothing.
public final class CPURuntime {
    public let model: GRUModel
    private let inputWeights: UnsafeMutablePointer<Float>
    private let recurrentWeights: UnsafeMutablePointer<Float>
    private let headWeights: [UnsafeMutablePointer<Float>]
    private let hidden: UnsafeMutablePointer<Float>
    private let gated: UnsafeMutablePointer<Float>
    private let gates: UnsafeMutablePointer<Float>
    private let recurrent: UnsafeMutablePointer<Float>
    private let vectorA: UnsafeMutablePointer<Float>
    private let vectorB: UnsafeMutablePointer<Float>
    private let widest: Int

    public init(model: GRUModel) {
        self.model = model
        let g = model.gru
        inputWeights = Self.copy(g.w)
        recurrentWeights = Self.copy(g.r)
        headWeights = model.head.map { Self.copy($0.w) }
        hidden = Self.zeros(g.hiddenSize)
        gated = Self.zeros(g.hiddenSize)
        gates = Self.zeros(3 * g.hiddenSize)
        recurrent = Self.zeros(3 * g.hiddenSize)
        widest = model.widestHeadVector
        vectorA = Self.zeros(widest)
        vectorB = Self.zeros(widest)
    }

    deinit {
        for p in [inputWeights, recurrentWeights, hidden, gated, gates, recurrent, vectorA, vectorB] + headWeights { p.deallocate() }
    }

    /// The model's outputs for `frames` (T x inputSize, row-major).
    public func classify(_ frames: UnsafeBufferPointer<Float>, into probabilities: UnsafeMutableBufferPointer<Float>) throws(ModelError) {
        let g = model.gru
        let h = g.hiddenSize, i = g.inputSize
        guard frames.count % i == 0, frames.count > 0, let base = frames.baseAddress else {
            throw ModelError("\(frames.count) input values are not whole frames of \(i)")
        }
        guard probabilities.count == model.outputs else {
            throw ModelError("room for \(probabilities.count) outputs; the model has \(model.outputs)")
        }
        for k in 0..<h { hidden[k] = g.initialState[k] }
        let steps = g.steps(frames: frames.count / i)
        g.wb.withUnsafeBufferPointer { wb in
            g.rb.withUnsafeBufferPointer { rb in
                for step in 0..<steps {
                    let x = base + (g.reverse ? steps - 1 - step : step) * i
                    for row in 0..<(3 * h) {
                        gates[row] = wb[row] + Self.dot(inputWeights + row * i, x, i)
                    }
                    let recurrentRows = g.linearBeforeReset ? 3 * h : 2 * h
                    var row = 0
                    while row + 4 <= recurrentRows {
                        let d = Self.dot4(recurrentWeights + row * h, stride: h, hidden, h)
                        recurrent[row] = rb[row] + d[0]
                        recurrent[row + 1] = rb[row + 1] + d[1]
                        recurrent[row + 2] = rb[row + 2] + d[2]
                        recurrent[row + 3] = rb[row + 3] + d[3]
                        row += 4
                    }
                    while row < recurrentRows {
                        recurrent[row] = rb[row] + Self.dot(recurrentWeights + row * h, hidden, h)
                        row += 1
                    }
                    for k in 0..<(2 * h) { gates[k] = 1 / (1 + Float.exp(-(gates[k] + recurrent[k]))) }
                    if !g.linearBeforeReset {
                        // ONNX linear_before_reset = 0: the reset gate scales h before R_h.
                        for k in 0..<h { gated[k] = gates[h + k] * hidden[k] }
                        for k in 0..<h { recurrent[2 * h + k] = rb[2 * h + k] + Self.dot(recurrentWeights + (2 * h + k) * h, gated, h) }
                    }
                    for k in 0..<h {
                        let z = gates[k], reset = gates[h + k]
                        let candidate = g.linearBeforeReset
                            ? Float.tanh(gates[2 * h + k] + reset * recurrent[2 * h + k])
                            : Float.tanh(gates[2 * h + k] + recurrent[2 * h + k])
                        gated[k] = (1 - z) * candidate + z * hidden[k]
                    }
                    hidden.update(from: gated, count: h)
                }
            }
        }
        vectorA.update(from: hidden, count: h)
        var width = h
        var a = vectorA, b = vectorB
        for (n, layer) in model.head.enumerated() {
            let w = headWeights[n]
            layer.b.withUnsafeBufferPointer { bias in
                for o in 0..<layer.outputs { b[o] = layer.activation.apply(bias[o] + Self.dot(w + o * width, a, width)) }
            }
            swap(&a, &b)
            width = layer.outputs
        }
        for o in 0..<width { probabilities[o] = a[o] }
        if model.softmax { Softmax.apply(probabilities) }
    }

    @inline(__always)
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var k = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        let lane = MemoryLayout<Float>.stride
        while k + 16 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: k * lane, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: k * lane, as: SIMD8<Float>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: (k + 8) * lane, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: (k + 8) * lane, as: SIMD8<Float>.self)
            k += 16
        }
        while k + 8 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: k * lane, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: k * lane, as: SIMD8<Float>.self)
            k += 8
        }
        var s = (acc0 + acc1).sum()
        while k < n {
            s += a[k] * b[k]
            k += 1
        }
        return s
    }

    /// Four rows (`stride` apart) against one vector: each load of `b` serves four rows.
    @inline(__always)
    private static func dot4(_ a: UnsafePointer<Float>, stride: Int, _ b: UnsafePointer<Float>, _ n: Int) -> SIMD4<Float> {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        let lane = MemoryLayout<Float>.stride
        let r0 = UnsafeRawPointer(a), r1 = UnsafeRawPointer(a + stride), r2 = UnsafeRawPointer(a + 2 * stride), r3 = UnsafeRawPointer(a + 3 * stride)
        let rb = UnsafeRawPointer(b)
        var k = 0
        while k + 8 <= n {
            let o = k * lane
            let v = rb.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            s0 += r0.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) * v
            s1 += r1.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) * v
            s2 += r2.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) * v
            s3 += r3.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) * v
            k += 8
        }
        var result = SIMD4<Float>(s0.sum(), s1.sum(), s2.sum(), s3.sum())
        while k < n {
            result[0] += a[k] * b[k]
            result[1] += a[stride + k] * b[k]
            result[2] += a[2 * stride + k] * b[k]
            result[3] += a[3 * stride + k] * b[k]
            k += 1
        }
        return result
    }

    private static func copy(_ values: [Float]) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, values.count))
        values.withUnsafeBufferPointer { if let b = $0.baseAddress { p.initialize(from: b, count: values.count) } }
        return p
    }

    private static func zeros(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        p.initialize(repeating: 0, count: max(1, count))
        return p
    }
}
