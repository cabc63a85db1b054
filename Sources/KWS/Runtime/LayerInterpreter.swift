/// Runs a `NeuralNetwork` layer by layer on a backend: the one place that
/// knows what each layer kind does. Matrix products go to the backend (a
/// convolution as one product per output position over the patch under
/// the kernel, im2col); the GRU's gate arithmetic, activations, average
/// pooling and the softmax are done here, as an accelerator's digital
/// periphery would.
///
/// A batch of clips runs in lockstep, layer by layer and GRU step by GRU
/// step, so each product is one backend call for every clip: on an
/// accelerator one batched MVM per tile, each weight read serving the whole
/// batch. Each clip's arithmetic is that of a batch of one.
///
/// Buffers are sized at creation for one clip and grow to the largest batch
/// seen; after that, `classify` allocates nothing.
final class LayerInterpreter<Backend: LayerBackend> {
    let backend: Backend
    let model: NeuralNetwork
    /// Clips the buffers hold.
    private var capacity = 0
    /// Layer outputs, alternately: one slot of `largest` values per clip.
    private var tensors: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
    private let largest: Int
    /// A convolution's patch at one output position, then its outputs there, per clip.
    private var patches: UnsafeMutablePointer<Float>
    private var positionOutputs: UnsafeMutablePointer<Float>
    private let patchSize: Int, positionSize: Int
    /// GRU state and scratch, 10 x hidden per clip: state, the products (4h:
    /// gates, candidate input, candidate recurrent), z and r (2h), candidate
    /// pre-activation, candidate, r ⊙ h (h each).
    private var recurrent: UnsafeMutablePointer<Float>
    private let hidden: Int
    /// Each clip's current GRU frame.
    private var frames: UnsafeMutablePointer<UnsafePointer<Float>>

    init(backend: Backend) {
        self.backend = backend
        model = backend.model
        largest = max(1, model.largestTensor)
        let matrices = model.layers.compactMap(MatrixBlock.init)
        patchSize = max(1, matrices.map(\.inputs).max() ?? 1)
        positionSize = max(1, matrices.map(\.outputs).max() ?? 1)
        hidden = model.recurrentLayer?.hiddenSize ?? 0
        capacity = 1
        tensors = (allocateZeroed(largest), allocateZeroed(largest))
        patches = allocateZeroed(patchSize)
        positionOutputs = allocateZeroed(positionSize)
        recurrent = allocateZeroed(10 * hidden)
        frames = .allocate(capacity: 1)
    }

    deinit {
        release()
    }

    private func release() {
        for p in [tensors.0, tensors.1, patches, positionOutputs, recurrent] { p.deallocate() }
        frames.deallocate()
    }

    /// Sizes the buffers for `clips` at once (warm-up: the first batch of a size).
    private func reserve(clips: Int) {
        guard clips > capacity else { return }
        release()
        capacity = clips
        tensors = (allocateZeroed(largest * clips), allocateZeroed(largest * clips))
        patches = allocateZeroed(patchSize * clips)
        positionOutputs = allocateZeroed(positionSize * clips)
        recurrent = allocateZeroed(10 * hidden * clips)
        frames = .allocate(capacity: clips)
    }

    /// The model's outputs (class probabilities when it ends in a softmax)
    /// for `frames` (T x frameSize, row-major).
    func classify(_ frames: UnsafeBufferPointer<Float>, into probabilities: UnsafeMutableBufferPointer<Float>) throws(Backend.Failure) {
        try classify(batch: frames, clips: 1, into: probabilities)
    }

    /// The model's outputs for `clips` clips of equal length, one after the
    /// other in `batch` (clips x T x frameSize), into `probabilities`
    /// (clips x outputs).
    func classify(batch: UnsafeBufferPointer<Float>, clips: Int, into probabilities: UnsafeMutableBufferPointer<Float>) throws(Backend.Failure) {
        let i = model.frameSize
        guard clips > 0, batch.count % clips == 0 else {
            throw Backend.invalidInput("\(batch.count) input values are not \(clips) clips of equal length")
        }
        let clipValues = batch.count / clips
        guard clipValues % i == 0, clipValues > 0, let base = batch.baseAddress else {
            throw Backend.invalidInput("\(clipValues) input values are not whole frames of \(i)")
        }
        guard probabilities.count == clips * model.outputs, let result = probabilities.baseAddress else {
            throw Backend.invalidInput("room for \(probabilities.count) outputs; the model has \(model.outputs) per clip, \(clips * model.outputs) for \(clips) clips")
        }
        let frameCount = clipValues / i
        if let fixed = model.fixedFrames, frameCount != fixed {
            throw Backend.invalidInput("\(frameCount) frames; the model takes \(fixed)")
        }
        for c in 0..<clips {
            try backend.checkInput(UnsafeBufferPointer(rebasing: batch[(c * clipValues)..<((c + 1) * clipValues)]))
        }
        reserve(clips: clips)
        var input = base, inputStride = clipValues
        for (n, layer) in model.layers.enumerated() {
            let output = n % 2 == 0 ? tensors.0 : tensors.1
            switch layer {
            case .recurrent(let g):
                try runRecurrent(layer: n, g, frames: input, stride: inputStride, count: frameCount, clips: clips, into: output)
            case .dense(let d):
                try backend.multiply(layer: n, inputs: input, inputStride: inputStride, outputs: output, outputStride: largest, clips: clips)
                for c in 0..<clips {
                    let clipOutput = output + c &* largest
                    for o in 0..<d.outputs { clipOutput[o] = d.activation.apply(clipOutput[o]) }
                }
            case .convolution(let c):
                try convolve(layer: n, c, input: input, stride: inputStride, shape: model.shapes[n], clips: clips,
                             into: output, shape: model.shapes[n + 1])
            case .averagePool:
                let shape = model.shapes[n], area = shape.positions
                for clip in 0..<clips {
                    let clipInput = input + clip &* inputStride, clipOutput = output + clip &* largest
                    for c in 0..<shape.channels {
                        var sum = 0.0
                        for k in 0..<area { sum += Double(clipInput[c * area + k]) }
                        clipOutput[c] = Float(sum / Double(area))
                    }
                }
            }
            input = UnsafePointer(output)
            inputStride = largest
        }
        let outputs = model.outputs
        for c in 0..<clips {
            let clipResult = UnsafeMutableBufferPointer(start: result + c &* outputs, count: outputs)
            for o in 0..<outputs { clipResult[o] = input[c &* inputStride + o] }
            if model.softmax { Softmax.apply(clipResult) }
        }
    }

    /// ONNX's GRU: z = σ(·), r = σ(·), n = tanh(W_h x + Wb_h + r ⊙ (R_h h + Rb_h))
    /// (linear_before_reset = 1) or tanh(W_h x + Wb_h + R_h (r ⊙ h) + Rb_h),
    /// h' = (1 − z) ⊙ n + z ⊙ h.
    private func runRecurrent(layer: Int, _ g: GRULayer, frames input: UnsafePointer<Float>, stride: Int, count: Int,
                              clips: Int, into output: UnsafeMutablePointer<Float>) throws(Backend.Failure) {
        let h = hidden, i = g.inputSize, slot = 10 * h
        for c in 0..<clips {
            let state = recurrent + c &* slot
            for k in 0..<h { state[k] = g.initialState[k] }
        }
        let steps = g.steps(frames: count)
        for step in 0..<steps {
            let frame = (g.reverse ? steps - 1 - step : step) * i
            for c in 0..<clips { frames[c] = input + c &* stride + frame }
            try backend.recurrentProducts(layer: layer, frames: UnsafePointer(frames), states: UnsafePointer(recurrent),
                                          into: RecurrentProducts(values: recurrent + h, hidden: h), clipStride: slot, clips: clips)
            for c in 0..<clips {
                let state = recurrent + c &* slot
                let products = RecurrentProducts(values: state + h, hidden: h)
                let gates = products.gates, candidateInput = products.candidateInput, candidateRecurrent = products.candidateRecurrent
                let zr = state + 5 * h, pre = zr + 2 * h, candidate = pre + h, gated = candidate + h
                backend.sigmoid(gates, into: zr, count: 2 * h)
                if g.linearBeforeReset {
                    for k in 0..<h { pre[k] = candidateInput[k] + zr[h + k] * candidateRecurrent[k] }
                } else {
                    for k in 0..<h { gated[k] = zr[h + k] * state[k] }
                }
            }
            if !g.linearBeforeReset {
                // The candidate needs the whole reset vector before it can form R_h (r ⊙ h).
                try backend.resetProduct(layer: layer, resetStates: UnsafePointer(recurrent + 9 * h),
                                         into: recurrent + 4 * h, clipStride: slot, clips: clips)
                for c in 0..<clips {
                    let state = recurrent + c &* slot
                    let products = RecurrentProducts(values: state + h, hidden: h)
                    let pre = state + 7 * h
                    for k in 0..<h { pre[k] = products.candidateInput[k] + products.candidateRecurrent[k] }
                }
            }
            for c in 0..<clips {
                let state = recurrent + c &* slot
                let zr = state + 5 * h, pre = zr + 2 * h, candidate = pre + h
                backend.tanh(pre, into: candidate, count: h)
                for k in 0..<h { state[k] = (1 - zr[k]) * candidate[k] + zr[k] * state[k] }
            }
        }
        for c in 0..<clips { (output + c &* largest).update(from: recurrent + c &* slot, count: h) }
    }

    /// One product per output position over the zero-padded patch under the kernel.
    private func convolve(layer: Int, _ c: ConvolutionLayer, input: UnsafePointer<Float>, stride: Int, shape: TensorShape,
                          clips: Int, into output: UnsafeMutablePointer<Float>, shape out: TensorShape) throws(Backend.Failure) {
        let kh = c.kernelHeight, kw = c.kernelWidth, inArea = shape.positions, outArea = out.positions
        for oy in 0..<out.height {
            for ox in 0..<out.width {
                for clip in 0..<clips {
                    let clipInput = input + clip &* stride, patch = patches + clip &* patchSize
                    var k = 0
                    for channel in 0..<c.inChannels {
                        let plane = clipInput + channel * inArea
                        for ky in 0..<kh {
                            let y = oy * c.strideY + ky - c.padding.top
                            for kx in 0..<kw {
                                let x = ox * c.strideX + kx - c.padding.left
                                patch[k] = y >= 0 && y < shape.height && x >= 0 && x < shape.width ? plane[y * shape.width + x] : 0
                                k += 1
                            }
                        }
                    }
                }
                try backend.multiply(layer: layer, inputs: patches, inputStride: patchSize, outputs: positionOutputs,
                                     outputStride: positionSize, clips: clips)
                let position = oy * out.width + ox
                for clip in 0..<clips {
                    let clipOutput = output + clip &* largest, positionOutput = positionOutputs + clip &* positionSize
                    for o in 0..<c.outChannels { clipOutput[o * outArea + position] = c.activation.apply(positionOutput[o]) }
                }
            }
        }
    }
}
