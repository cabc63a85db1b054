/// Runs a `NeuralNetwork` layer by layer on a backend: the one place that
/// knows what each layer kind does. Matrix products go to the backend (a
/// convolution as one product per output position over the patch under
/// the kernel, im2col); the GRU's gate arithmetic, activations, average
/// pooling and the softmax are done here, as an accelerator's digital
/// periphery would.
///
/// Buffers are sized at creation; `classify` allocates nothing.
final class LayerInterpreter<Backend: LayerBackend> {
    let backend: Backend
    let model: NeuralNetwork
    /// Layer outputs, alternately.
    private let tensors: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
    /// A convolution's patch at one output position, then its outputs there.
    private let patch: UnsafeMutablePointer<Float>
    private let positionOutput: UnsafeMutablePointer<Float>
    /// GRU state and scratch (10 x hidden): state, the products (4h: gates,
    /// candidate input, candidate recurrent), z and r (2h), candidate
    /// pre-activation, candidate, r ⊙ h (h each).
    private let recurrent: UnsafeMutablePointer<Float>
    private let hidden: Int

    init(backend: Backend) {
        self.backend = backend
        model = backend.model
        let largest = max(1, model.largestTensor)
        tensors = (Self.zeros(largest), Self.zeros(largest))
        let matrices = model.layers.compactMap(MatrixBlock.init)
        patch = Self.zeros(matrices.map(\.inputs).max() ?? 1)
        positionOutput = Self.zeros(matrices.map(\.outputs).max() ?? 1)
        hidden = model.recurrentLayer?.hiddenSize ?? 0
        recurrent = Self.zeros(10 * hidden)
    }

    deinit {
        for p in [tensors.0, tensors.1, patch, positionOutput, recurrent] { p.deallocate() }
    }

    /// The model's outputs (class probabilities when it ends in a softmax)
    /// for `frames` (T x frameSize, row-major).
    func classify(_ frames: UnsafeBufferPointer<Float>, into probabilities: UnsafeMutableBufferPointer<Float>) throws(Backend.Failure) {
        let i = model.frameSize
        guard frames.count % i == 0, frames.count > 0, let base = frames.baseAddress else {
            throw Backend.invalidInput("\(frames.count) input values are not whole frames of \(i)")
        }
        guard probabilities.count == model.outputs else {
            throw Backend.invalidInput("room for \(probabilities.count) outputs; the model has \(model.outputs)")
        }
        if let fixed = model.fixedFrames, frames.count / i != fixed {
            throw Backend.invalidInput("\(frames.count / i) frames; the model takes \(fixed)")
        }
        try backend.checkInput(frames)
        var input = base
        for (n, layer) in model.layers.enumerated() {
            let output = n % 2 == 0 ? tensors.0 : tensors.1
            switch layer {
            case .recurrent(let g):
                try runRecurrent(layer: n, g, frames: input, count: frames.count / i, into: output)
            case .dense(let d):
                try backend.multiply(layer: n, input: input, output: output)
                for o in 0..<d.outputs { output[o] = d.activation.apply(output[o]) }
            case .convolution(let c):
                try convolve(layer: n, c, input: input, shape: model.shapes[n], into: output, shape: model.shapes[n + 1])
            case .averagePool:
                let shape = model.shapes[n], area = shape.positions
                for c in 0..<shape.channels {
                    var sum = 0.0
                    for k in 0..<area { sum += Double(input[c * area + k]) }
                    output[c] = Float(sum / Double(area))
                }
            }
            input = UnsafePointer(output)
        }
        for o in 0..<model.outputs { probabilities[o] = input[o] }
        if model.softmax { Softmax.apply(probabilities) }
    }

    /// ONNX's GRU: z = σ(·), r = σ(·), n = tanh(W_h x + Wb_h + r ⊙ (R_h h + Rb_h))
    /// (linear_before_reset = 1) or tanh(W_h x + Wb_h + R_h (r ⊙ h) + Rb_h),
    /// h' = (1 − z) ⊙ n + z ⊙ h.
    private func runRecurrent(layer: Int, _ g: GRULayer, frames: UnsafePointer<Float>, count: Int,
                              into output: UnsafeMutablePointer<Float>) throws(Backend.Failure) {
        let h = hidden, i = g.inputSize
        let state = recurrent, products = RecurrentProducts(values: state + h, hidden: h)
        let gates = products.gates, candidateInput = products.candidateInput, candidateRecurrent = products.candidateRecurrent
        let zr = state + 5 * h, pre = zr + 2 * h, candidate = pre + h, gated = candidate + h
        for k in 0..<h { state[k] = g.initialState[k] }
        let steps = g.steps(frames: count)
        for step in 0..<steps {
            let frame = frames + (g.reverse ? steps - 1 - step : step) * i
            try backend.recurrentProducts(layer: layer, frame: frame, state: state, into: products)
            backend.sigmoid(gates, into: zr, count: 2 * h)
            if g.linearBeforeReset {
                for k in 0..<h { pre[k] = candidateInput[k] + zr[h + k] * candidateRecurrent[k] }
            } else {
                // The candidate needs the whole reset vector before it can form R_h (r ⊙ h).
                for k in 0..<h { gated[k] = zr[h + k] * state[k] }
                try backend.resetProduct(layer: layer, resetState: gated, into: candidateRecurrent)
                for k in 0..<h { pre[k] = candidateInput[k] + candidateRecurrent[k] }
            }
            backend.tanh(pre, into: candidate, count: h)
            for k in 0..<h { state[k] = (1 - zr[k]) * candidate[k] + zr[k] * state[k] }
        }
        output.update(from: state, count: h)
    }

    /// One product per output position over the zero-padded patch under the kernel.
    private func convolve(layer: Int, _ c: ConvolutionLayer, input: UnsafePointer<Float>, shape: TensorShape,
                          into output: UnsafeMutablePointer<Float>, shape out: TensorShape) throws(Backend.Failure) {
        let kh = c.kernelHeight, kw = c.kernelWidth, inArea = shape.positions, outArea = out.positions
        for oy in 0..<out.height {
            for ox in 0..<out.width {
                var k = 0
                for channel in 0..<c.inChannels {
                    let plane = input + channel * inArea
                    for ky in 0..<kh {
                        let y = oy * c.strideY + ky - c.padding.top
                        for kx in 0..<kw {
                            let x = ox * c.strideX + kx - c.padding.left
                            patch[k] = y >= 0 && y < shape.height && x >= 0 && x < shape.width ? plane[y * shape.width + x] : 0
                            k += 1
                        }
                    }
                }
                try backend.multiply(layer: layer, input: patch, output: positionOutput)
                let position = oy * out.width + ox
                for o in 0..<c.outChannels { output[o * outArea + position] = c.activation.apply(positionOutput[o]) }
            }
        }
    }

    private static func zeros(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        p.initialize(repeating: 0, count: max(1, count))
        return p
    }
}
