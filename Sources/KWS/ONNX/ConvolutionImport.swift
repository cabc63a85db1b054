import RealModule

/// Conv, BatchNormalization and average pooling: the operators of a
/// convolutional keyword spotter (DS-CNN), lowered to `ConvolutionLayer`s
/// and `Layer.averagePool`.
extension GraphWalker {
    /// Far beyond any feature map a keyword spotter sees; bounds the padding arithmetic.
    static let maximumStride = 1 << 16

    mutating func visitConv(_ node: ONNXNode) throws(ONNXImportError) {
        let x = try dataInput(node, 0)
        let input: TensorShape
        if x.stage == .image, let image = x.image, x.shape.count == 4, x.shape[0] == 1 {
            input = image
        } else if x.stage == .frames, x.shape == [1, 1, frames, featuresPerFrame] {
            input = TensorShape(channels: 1, height: frames, width: featuresPerFrame)
        } else {
            throw ONNXImportError(message: "Conv must read the frames as a one-channel image [1, 1, T, I] or a feature map [1, C, H, W], got \(x.shape)")
        }
        guard let weights = try constant(node, 1, "W") else { throw ONNXImportError(message: "Conv needs W") }
        let group = try node.int("group", default: 1)
        let ws = weights.shape
        guard weights.isFloat, ws.count == 4, group >= 1, input.channels % group == 0, ws[1] == input.channels / group, ws[0] % group == 0 else {
            throw ONNXImportError(message: "W has shape \(ws) with group \(group); a 2-D convolution of \(input.channels) channels needs float [M, \(input.channels)/group, kH, kW] with group dividing both channel counts")
        }
        let m = ws[0], kh = ws[2], kw = ws[3]
        if let kernel = try node.ints("kernel_shape"), kernel != [kh, kw] {
            throw ONNXImportError(message: "kernel_shape \(kernel) differs from W's kernel [\(kh), \(kw)]")
        }
        if let dilations = try node.ints("dilations"), dilations.contains(where: { $0 != 1 }) {
            throw ONNXImportError(message: "dilations \(dilations) are not supported (1 only)")
        }
        let strides = try node.ints("strides") ?? [1, 1]
        guard strides.count == 2, strides.allSatisfy({ (1...Self.maximumStride).contains($0) }) else {
            throw ONNXImportError(message: "strides \(strides) must be two values in 1...\(Self.maximumStride)")
        }
        var pads = try node.ints("pads") ?? [0, 0, 0, 0]
        guard pads.count == 4, pads.allSatisfy({ $0 >= 0 }) else {
            throw ONNXImportError(message: "pads \(pads) must be four values of at least 0 [top, left, bottom, right]")
        }
        switch try node.string("auto_pad") ?? "NOTSET" {
        case "NOTSET": break
        case "VALID": pads = [0, 0, 0, 0]
        case let same where same == "SAME_UPPER" || same == "SAME_LOWER":
            // Output = ceil(input / stride); the odd pixel goes at the end (UPPER) or the start (LOWER).
            for (axis, (size, kernel)) in [(input.height, kh), (input.width, kw)].enumerated() {
                let out = (size + strides[axis] - 1) / strides[axis]
                let total = max(0, (out - 1) * strides[axis] + kernel - size)
                let begin = same == "SAME_UPPER" ? total / 2 : total - total / 2
                pads[axis] = begin
                pads[axis + 2] = total - begin
            }
        case let other:
            throw ONNXImportError(message: "auto_pad '\(other)' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER")
        }
        var bias = [Float](repeating: 0, count: m)
        if let b = try constant(node, 2, "B") {
            guard b.isFloat, b.shape == [m] else { throw ONNXImportError(message: "B has shape \(b.shape); a convolution with \(m) outputs needs [\(m)]") }
            bias = b.floats
        }
        let layer: ConvolutionLayer
        do {
            layer = try ConvolutionLayer(inChannels: input.channels, outChannels: m, kernelHeight: kh, kernelWidth: kw,
                                         strideY: strides[0], strideX: strides[1],
                                         padding: .init(top: pads[0], left: pads[1], bottom: pads[2], right: pads[3]),
                                         groups: group, w: weights.floats, b: bias)
        } catch {
            throw ONNXImportError(message: error.message)
        }
        guard let size = layer.outputSize(height: input.height, width: input.width) else {
            throw ONNXImportError(message: "the \(kh)x\(kw) kernel does not fit the padded \(input.height)x\(input.width) input")
        }
        let output = TensorShape(channels: m, height: size.height, width: size.width)
        for (role, shape) in [("input", input), ("output", output)] where (shape.checkedCount ?? .max) > NeuralNetwork.maximumTensorValues {
            throw ONNXImportError(message: "the \(role) \(shape) has more than \(NeuralNetwork.maximumTensorValues) values, the most a tensor between layers may hold")
        }
        layers.append(.convolution(layer))
        try setData(node, DataValue(stage: .image, shape: [1, m, size.height, size.width], semantic: [m, size.height, size.width],
                                    openLayer: layers.count - 1, layersBefore: layers.count, afterSoftmax: false, image: output))
    }

    /// Inference-mode batch normalisation, folded into the Conv, Gemm or
    /// MatMul before it: y = γ (x − μ) / √(σ² + ε) + β per output channel,
    /// computed in Double.
    mutating func visitBatchNormalization(_ node: ONNXNode) throws(ONNXImportError) {
        let x = try dataInput(node, 0)
        guard let open = x.openLayer, x.stage == .image || x.stage == .vector else {
            throw ONNXImportError(message: "BatchNormalization is supported only right after a Conv, Gemm or MatMul (it folds into that layer's weights and bias)")
        }
        guard try node.int("training_mode", default: 0) == 0, node.outputs.dropFirst().allSatisfy(\.isEmpty) else {
            throw ONNXImportError(message: "training-mode BatchNormalization (running statistics as outputs) is not supported; export the model in eval mode")
        }
        let epsilon = Double(try node.float("epsilon", default: 1e-5))
        var w: [Float], b: [Float], outputs: Int
        switch layers[open] {
        case .convolution(let c): (w, b, outputs) = (c.w, c.b, c.outChannels)
        case .dense(let d): (w, b, outputs) = (d.w, d.b, d.outputs)
        case .recurrent, .averagePool:
            throw ONNXImportError(message: "BatchNormalization must follow a Conv, Gemm or MatMul")
        }
        var parameters: [[Float]] = []
        for (n, role) in ["scale", "B", "input_mean", "input_var"].enumerated() {
            guard let t = try constant(node, n + 1, role) else { throw ONNXImportError(message: "BatchNormalization needs \(role)") }
            guard t.isFloat, t.shape == [outputs] else {
                throw ONNXImportError(message: "\(role) has shape \(t.shape); the layer before has \(outputs) channels")
            }
            parameters.append(t.floats)
        }
        let perOutput = w.count / outputs
        for o in 0..<outputs {
            let variance = Double(parameters[3][o]) + epsilon
            guard variance > 0 else {
                throw ONNXImportError(message: "input_var[\(o)] + epsilon is \(variance); a variance must be positive")
            }
            let a = Double(parameters[0][o]) / variance.squareRoot()
            for k in (o * perOutput)..<((o + 1) * perOutput) { w[k] = Float(Double(w[k]) * a) }
            b[o] = Float((Double(b[o]) - Double(parameters[2][o])) * a + Double(parameters[1][o]))
        }
        if let bad = (w + b).first(where: { !$0.isFinite }) {
            throw ONNXImportError(message: "folding the normalisation makes a weight \(bad)")
        }
        switch layers[open] {
        case .convolution(var c):
            (c.w, c.b) = (w, b)
            layers[open] = .convolution(c)
        case .dense(var d):
            (d.w, d.b) = (w, b)
            layers[open] = .dense(d)
        case .recurrent, .averagePool:
            break
        }
        try setData(node, x)
    }

    /// GlobalAveragePool, or AveragePool whose kernel covers the whole map.
    mutating func visitAveragePool(_ node: ONNXNode) throws(ONNXImportError) {
        let x = try dataInput(node, 0)
        guard x.stage == .image, let image = x.image else {
            throw ONNXImportError(message: "\(node.op) must act on a feature map [1, C, H, W], got \(x.shape)")
        }
        if node.op == "AveragePool" {
            let kernel = try node.ints("kernel_shape")
            let pads = try node.ints("pads") ?? [0, 0, 0, 0]
            guard kernel == [image.height, image.width], pads.allSatisfy({ $0 == 0 }),
                  ["NOTSET", "VALID"].contains(try node.string("auto_pad") ?? "NOTSET") else {
                throw ONNXImportError(message: "AveragePool with kernel \(kernel.map { "\($0)" } ?? "none") and pads \(pads) over a \(image.height)x\(image.width) map; only an unpadded pool over the whole map (a global average) is supported")
            }
        }
        layers.append(.averagePool)
        try setData(node, DataValue(stage: .image, shape: [1, image.channels, 1, 1], semantic: [image.channels, 1, 1], openLayer: nil,
                                    layersBefore: layers.count, afterSoftmax: false, image: .vector(image.channels)))
    }
}
