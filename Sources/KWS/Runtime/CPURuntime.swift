import RealModule

/// The model as a CPU deployment runs it: Float32 throughout, eight-lane
/// SIMD dot products over each weight row, no bounds checks on the hot
/// path. It is the digital baseline a buyer would compare a CIM board
/// against (the reference `FloatRuntime` keeps Double sums for exactness
/// and is several times slower). Outputs agree with the reference to
/// float rounding (`CPURuntimeTests`). Buffers are sized at creation;
/// `classify` allocates nothing.
public final class CPURuntime {
    private let interpreter: LayerInterpreter<CPUBackend>
    public var model: NeuralNetwork { interpreter.model }

    public init(model: NeuralNetwork) {
        interpreter = LayerInterpreter(backend: CPUBackend(model: model))
    }

    /// The model's outputs for `frames` (T x frameSize, row-major).
    public func classify(_ frames: UnsafeBufferPointer<Float>, into probabilities: UnsafeMutableBufferPointer<Float>) throws(ModelError) {
        try interpreter.classify(frames, into: probabilities)
    }
}

/// Weights copied to raw buffers, Float32 sums.
final class CPUBackend: LayerBackend {
    let model: NeuralNetwork
    /// Per layer: its weights (a GRU's W then R) and biases (Wb then Rb), or nil.
    private let weights: [UnsafeMutablePointer<Float>?]
    private let biases: [UnsafeMutablePointer<Float>?]
    private let matrices: [MatrixBlock?]

    init(model: NeuralNetwork) {
        self.model = model
        matrices = model.layers.map(MatrixBlock.init)
        weights = model.layers.map { layer in
            switch layer {
            case .recurrent(let g): return Self.copy(g.w + g.r)
            case .dense(let d): return Self.copy(d.w)
            case .convolution(let c): return Self.copy(c.w)
            case .averagePool: return nil
            }
        }
        biases = model.layers.map { layer in
            switch layer {
            case .recurrent(let g): return Self.copy(g.wb + g.rb)
            case .dense(let d): return Self.copy(d.b)
            case .convolution(let c): return Self.copy(c.b)
            case .averagePool: return nil
            }
        }
    }

    deinit {
        for p in weights + biases { p?.deallocate() }
    }

    static func invalidInput(_ message: String) -> ModelError { ModelError(message) }

    func multiply(layer: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) throws(ModelError) {
        guard let m = matrices[layer], let w = weights[layer], let b = biases[layer] else {
            throw ModelError("layer \(layer) is not a matrix layer")
        }
        let k = m.rowsPerGroup, perGroup = m.outputsPerGroup
        for o in 0..<m.outputs { output[o] = b[o] + Self.dot(w + o * k, input + o / perGroup * k, k) }
    }

    func recurrentProducts(layer: Int, frame: UnsafePointer<Float>, state: UnsafePointer<Float>,
                           into products: RecurrentProducts) throws(ModelError) {
        guard case .recurrent(let g) = model.layers[layer], let w = weights[layer], let bias = biases[layer] else {
            throw ModelError("layer \(layer) is not a GRU")
        }
        let h = g.hiddenSize, i = g.inputSize
        let r = w + 3 * h * i, wb = bias, rb = bias + 3 * h
        for row in 0..<(2 * h) { products.gates[row] = wb[row] + Self.dot(w + row * i, frame, i) }
        for k in 0..<h { products.candidateInput[k] = wb[2 * h + k] + Self.dot(w + (2 * h + k) * i, frame, i) }
        // Four recurrent rows per pass; rows 2h..<3h (R_h h) only with linear_before_reset = 1.
        let recurrentRows = g.linearBeforeReset ? 3 * h : 2 * h
        var row = 0
        @inline(__always) func store(_ row: Int, _ value: Float) {
            if row < 2 * h { products.gates[row] = products.gates[row] + (rb[row] + value) } else { products.candidateRecurrent[row - 2 * h] = rb[row] + value }
        }
        while row + 4 <= recurrentRows {
            let d = Self.dot4(r + row * h, stride: h, state, h)
            store(row, d[0])
            store(row + 1, d[1])
            store(row + 2, d[2])
            store(row + 3, d[3])
            row += 4
        }
        while row < recurrentRows {
            store(row, Self.dot(r + row * h, state, h))
            row += 1
        }
    }

    func resetProduct(layer: Int, resetState: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) throws(ModelError) {
        guard case .recurrent(let g) = model.layers[layer], let w = weights[layer], let bias = biases[layer] else {
            throw ModelError("layer \(layer) is not a GRU")
        }
        let h = g.hiddenSize
        let r = w + 3 * h * g.inputSize, rb = bias + 3 * h
        for k in 0..<h { output[k] = rb[2 * h + k] + Self.dot(r + (2 * h + k) * h, resetState, h) }
    }

    /// ONNX's sigmoid as the CPU deployment writes it.
    func sigmoid(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for k in 0..<count { y[k] = 1 / (1 + Float.exp(-x[k])) }
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
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
    static func dot4(_ a: UnsafePointer<Float>, stride: Int, _ b: UnsafePointer<Float>, _ n: Int) -> SIMD4<Float> {
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
}
