import Foundation
import SwiftProtobuf

/// A model read from an ONNX file, lowered to the layers the runtimes and
/// the tile compiler work on.
public struct ImportedModel: Sendable {
    public var model: NeuralNetwork
    public var inputName: String
    /// The input tensor's shape as the file declares it, batch resolved to 1.
    public var inputShape: [Int]
    /// Frames per input (T).
    public var frames: Int
    public var outputName: String
    public var outputShape: [Int]
    public var opsetVersion: Int
    public var producer: String
}

/// Reads an ONNX keyword-spotting model as PyTorch, Keras (tf2onnx) and
/// `tools/kws/train.py` export it: either one GRU over the input frames
/// [T, I], or convolutions over the frames as a one-channel image
/// [1, 1, T, I] (Conv, depthwise Conv, BatchNormalization folded into the
/// layer before it, AveragePool over the whole map or GlobalAveragePool),
/// then Gemm/MatMul(+Add) layers, each with Relu, Sigmoid or Tanh, and
/// optionally a Softmax. Shape arithmetic on constants is folded; layout operators on
/// the data (Reshape, Squeeze, Unsqueeze, Flatten, Transpose, Identity) are
/// accepted when they keep its order. Anything else is an error that names
/// the node.
public enum ONNXImporter {
    public static let supportedOperators = [
        "GRU", "Conv", "BatchNormalization", "AveragePool", "GlobalAveragePool", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Sigmoid", "Tanh", "Softmax",
        "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Transpose", "Identity", "Dropout", "Gather", "Slice",
        "Shape", "Constant", "ConstantOfShape", "Concat", "Cast", "Expand",
    ]

    public static func load(contentsOf url: URL, frames: Int? = nil) throws(ONNXImportError) -> ImportedModel {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ONNXImportError(file: url.path, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try load(data: data, file: url.path, frames: frames)
    }

    /// ONNX IR 3 (ONNX 1.0) to 14 (ONNX 1.23, the newest this importer was checked against).
    public static let supportedIRVersions = 3...14
    /// Opset 7 is the first with today's GRU attributes (no output_sequence);
    /// 28 is ONNX 1.23's. Changes in between (Softmax's axis at 13, GRU's layout
    /// at 14) are handled where they apply.
    public static let supportedOpsets = 7...28

    /// `frames` fixes a symbolic time dimension; `file` only names the source in errors.
    public static func load(data: Data, file: String, frames: Int? = nil) throws(ONNXImportError) -> ImportedModel {
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw ONNXImportError(file: file, message: "not a readable ONNX model (corrupt or truncated protobuf: \(error))")
        }
        guard proto.hasGraph, !proto.graph.node.isEmpty else {
            throw ONNXImportError(file: file, message: "the file holds no graph (corrupt, or not an ONNX model)")
        }
        guard supportedIRVersions.contains(Int(proto.irVersion)) else {
            throw ONNXImportError(file: file, message: "IR version \(proto.irVersion) is outside \(supportedIRVersions.lowerBound)...\(supportedIRVersions.upperBound), the ONNX IR versions this importer reads (a corrupt header, or a model from a newer ONNX than 1.23)")
        }
        let opset = proto.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int(clamping: $0.version) } ?? 1
        guard supportedOpsets.contains(opset) else {
            throw ONNXImportError(file: file, message: "ai.onnx opset \(opset) is outside \(supportedOpsets.lowerBound)...\(supportedOpsets.upperBound), the opsets whose GRU, Gemm, MatMul and Softmax semantics this importer implements")
        }
        var walker = GraphWalker(opset: opset, frames: frames)
        do {
            try walker.declare(proto.graph)
        } catch {
            throw ONNXImportError(file: file, message: error.message)
        }
        for (index, nodeProto) in proto.graph.node.enumerated() {
            let node = ONNXNode(nodeProto, index: index)
            do {
                try walker.visit(node)
            } catch {
                throw ONNXImportError(file: file, node: error.node ?? node.label, operatorType: node.op, message: error.message)
            }
        }
        do {
            return try walker.finish(proto.graph, producer: proto.producerName)
        } catch {
            throw ONNXImportError(file: file, message: error.message)
        }
    }
}

/// The value a data-dependent tensor holds, tracked through the graph.
struct DataValue {
    enum Stage: Equatable {
        /// The model input: frames [T, I].
        case frames
        /// The GRU's Y: every step's state [T, H].
        case sequence
        /// Channels x height x width: the frames as a one-channel image, or a
        /// convolution's or pooling's output (`image`).
        case image
        /// One vector: Y_h or a dense layer's output.
        case vector
        /// A second graph input, which no supported model reads.
        case foreign(String)
    }

    var stage: Stage
    var shape: [Int]
    /// The meaningful sizes in order; `shape` may add unit axes anywhere.
    var semantic: [Int]
    /// Index of the head layer this is the raw output of, while no
    /// activation has been applied: Add/Mul fold into it, an activation
    /// closes it.
    var openLayer: Int?
    var layersBefore: Int
    var afterSoftmax: Bool
    /// Set for the image stage.
    var image: TensorShape?
}

struct GraphWalker {
    let opset: Int
    let fixedFrames: Int?
    var constants: [String: ONNXTensor] = [:]
    var data: [String: DataValue] = [:]
    var consumed: Set<String> = []
    var inputName = ""
    var inputShape: [Int] = []
    var frames = 0
    var layers: [Layer] = []
    var featuresPerFrame = 0
    var softmax = false

    init(opset: Int, frames: Int?) {
        self.opset = opset
        self.fixedFrames = frames
    }

    // MARK: Inputs and outputs

    mutating func declare(_ graph: Onnx_GraphProto) throws(ONNXImportError) {
        for t in graph.initializer { constants[t.name] = try ONNXTensor(t) }
        let inputs = graph.input.filter { constants[$0.name] == nil }
        guard let input = inputs.first else {
            throw ONNXImportError(message: "the graph has no input besides its initializers")
        }
        for extra in inputs.dropFirst() {
            data[extra.name] = DataValue(stage: .foreign(extra.name), shape: [], semantic: [], openLayer: nil,
                                         layersBefore: 0, afterSoftmax: false)
        }
        inputName = input.name
        let type = input.type.tensorType
        guard case .tensorType = input.type.value, type.elemType == 1 else {
            throw ONNXImportError(message: "input '\(input.name)' must be a float tensor (ONNX elem_type 1), got \(type.elemType)")
        }
        let dims = type.shape.dim
        guard (2...4).contains(dims.count) else {
            throw ONNXImportError(message: "input '\(input.name)' has rank \(dims.count); expected frames [T, I], [T, 1, I], [1, T, I] or the one-channel image [1, 1, T, I]")
        }
        var shape: [Int?] = dims.map { (d) -> Int? in
            if case .dimValue(let v)? = d.value, v > 0, v < 1 << 31 { return Int(v) }
            return nil
        }
        guard shape[shape.count - 1] != nil else {
            throw ONNXImportError(message: "input '\(input.name)': the feature (last) dimension must have a fixed size")
        }
        let leading = shape.indices.dropLast()
        let symbolic = leading.filter { shape[$0] == nil }
        let concreteLong = leading.contains { (shape[$0] ?? 1) > 1 }
        for axis in symbolic {
            if concreteLong && symbolic.count == 1 {
                shape[axis] = 1  // the batch axis
            } else if let t = fixedFrames, axis == symbolic.last {
                shape[axis] = t
            } else if symbolic.count > 1 && axis != symbolic.last {
                shape[axis] = 1
            } else {
                throw ONNXImportError(message: "input '\(input.name)': the time dimension is symbolic (\(dims[axis].dimParam)); give the number of frames (the MFCC frontend gives 49)")
            }
        }
        inputShape = shape.map { $0 ?? 1 }
        let long = inputShape.filter { $0 != 1 }
        guard long.count == 2 else {
            throw ONNXImportError(message: "input '\(input.name)' has shape \(inputShape); expected frames [T, I] with batch 1")
        }
        frames = long[0]
        featuresPerFrame = long[1]
        data[input.name] = DataValue(stage: .frames, shape: inputShape, semantic: long, openLayer: nil,
                                     layersBefore: 0, afterSoftmax: false)
        if inputShape == [1, 1, long[0], long[1]] {
            data[input.name] = DataValue(stage: .image, shape: inputShape, semantic: long, openLayer: nil, layersBefore: 0,
                                         afterSoftmax: false, image: TensorShape(channels: 1, height: long[0], width: long[1]))
        }
    }

    func finish(_ graph: Onnx_GraphProto, producer: String) throws(ONNXImportError) -> ImportedModel {
        guard let output = graph.output.first else { throw ONNXImportError(message: "the graph has no output") }
        guard let value = data[output.name], value.stage == .vector else {
            throw ONNXImportError(message: "output '\(output.name)' is not a vector computed from the input frames by the model's layers")
        }
        guard value.layersBefore == layers.count, value.afterSoftmax == softmax else {
            throw ONNXImportError(message: "output '\(output.name)' is taken before the end of the layer chain; later nodes would be ignored")
        }
        guard !layers.isEmpty else { throw ONNXImportError(message: "the graph has no GRU, convolution or dense layer") }
        var fixedFrames: Int? = frames
        if case .recurrent = layers[0] { fixedFrames = nil }
        do {
            let model = try NeuralNetwork(frameSize: featuresPerFrame, fixedFrames: fixedFrames, layers: layers, softmax: softmax)
            return ImportedModel(model: model, inputName: inputName,
                                 inputShape: inputShape, frames: frames, outputName: output.name, outputShape: value.shape,
                                 opsetVersion: opset, producer: producer)
        } catch {
            throw ONNXImportError(message: error.message)
        }
    }

    // MARK: Nodes

    mutating func visit(_ node: ONNXNode) throws(ONNXImportError) {
        guard node.proto.domain.isEmpty || node.proto.domain == "ai.onnx" else {
            throw ONNXImportError(message: "unsupported operator \(node.proto.domain).\(node.op)")
        }
        let present = node.inputs.filter { !$0.isEmpty }
        for name in present where constants[name] == nil && data[name] == nil {
            throw ONNXImportError(message: "input '\(name)' is not defined by any earlier node, initializer or graph input (corrupt or unsorted graph)")
        }
        let dataInputs = present.filter { data[$0] != nil }
        if node.op == "Shape", let name = node.input(0), let value = data[name] {
            // The shape of a data tensor is known at import: a constant.
            let folded = try ConstantFolding.evaluate(node, [ONNXTensor(shape: value.shape, floats: [Float](repeating: 0, count: elementCount(value.shape)))])
            constants[node.outputs[0]] = folded
            return
        }
        if dataInputs.isEmpty && node.op != "GRU" {
            guard ConstantFolding.operators.contains(node.op) else {
                throw unsupported(node)
            }
            let inputs = node.inputs.map { $0.isEmpty ? nil : constants[$0] }
            guard let first = node.outputs.first else { return }
            constants[first] = try ConstantFolding.evaluate(node, inputs)
            return
        }
        for name in dataInputs {
            if case .foreign(let input) = data[name]?.stage {
                throw ONNXImportError(message: "reads graph input '\(input)'; a supported model has one input, the frames (give GRU initial_h as an initializer)")
            }
            if data[name]?.afterSoftmax == true {
                throw ONNXImportError(message: "follows the Softmax; the Softmax must be the model's last operation")
            }
            guard consumed.insert(name).inserted else {
                throw ONNXImportError(message: "'\(name)' feeds more than one node; the importer supports a single chain from input to output")
            }
        }
        switch node.op {
        case "GRU": try visitGRU(node)
        case "Conv": try visitConv(node)
        case "BatchNormalization": try visitBatchNormalization(node)
        case "AveragePool", "GlobalAveragePool": try visitAveragePool(node)
        case "Identity", "Dropout": try setData(node, try dataInput(node, 0))
        case "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Transpose": try visitLayout(node)
        case "Gather", "Slice": try visitSelection(node)
        case "Gemm": try visitGemm(node)
        case "MatMul": try visitMatMul(node)
        case "Add", "Sub", "Mul", "Div": try visitElementwise(node)
        case "Relu", "Sigmoid", "Tanh": try visitActivation(node)
        case "Softmax": try visitSoftmax(node)
        default: throw unsupported(node)
        }
    }

    func unsupported(_ node: ONNXNode) -> ONNXImportError {
        ONNXImportError(message: "unsupported operator \(node.op) (supported: \(ONNXImporter.supportedOperators.joined(separator: ", ")))")
    }

    func dataInput(_ node: ONNXNode, _ n: Int) throws(ONNXImportError) -> DataValue {
        guard let name = node.input(n), let value = data[name] else {
            throw ONNXImportError(message: "input \(n) must be computed from the model input")
        }
        return value
    }

    func constant(_ node: ONNXNode, _ n: Int, _ role: String) throws(ONNXImportError) -> ONNXTensor? {
        guard let name = node.input(n) else { return nil }
        guard let t = constants[name] else {
            throw ONNXImportError(message: "\(role) ('\(name)') must be an initializer or a constant, not computed from the input")
        }
        return t
    }

    mutating func setData(_ node: ONNXNode, _ value: DataValue) throws(ONNXImportError) {
        guard let out = node.outputs.first, !out.isEmpty else { throw ONNXImportError(message: "has no output") }
        data[out] = value
    }

    /// A layout change that must keep the data's order: the sizes other
    /// than 1 stay the same and in the same order.
    mutating func view(_ node: ONNXNode, _ value: DataValue, as shape: [Int]) throws(ONNXImportError) {
        if value.stage == .image, let image = value.image, shape.count < 4 {
            // Flatten of a feature map: the data's order is C, H, W either way.
            guard shape.filter({ $0 != 1 }) == [image.count].filter({ $0 != 1 }) else {
                throw ONNXImportError(message: "turns the feature map \(value.shape) into \(shape); only flattening it whole is supported")
            }
            var result = value
            result.stage = .vector
            result.shape = shape
            result.semantic = [image.count]
            result.image = nil
            try setData(node, result)
            return
        }
        guard shape.filter({ $0 != 1 }) == value.semantic.filter({ $0 != 1 }) else {
            throw ONNXImportError(message: "turns \(value.shape) into \(shape), which reorders or merges the data's axes \(value.semantic); only layout changes that keep the order are supported")
        }
        var result = value
        result.shape = shape
        try setData(node, result)
    }

    mutating func visitLayout(_ node: ONNXNode) throws(ONNXImportError) {
        let value = try dataInput(node, 0)
        switch node.op {
        case "Reshape":
            guard let target = try constant(node, 1, "the shape") else { throw ONNXImportError(message: "Reshape needs a shape") }
            try view(node, value, as: ShapeOperators.reshape(value.shape, to: target.integers("Reshape shape"),
                                                              allowZero: node.int("allowzero", default: 0) != 0))
        case "Squeeze":
            let axes = try orElse(node.ints("axes")) { () throws(ONNXImportError) in try constant(node, 1, "the axes")?.integers("Squeeze axes") }
            try view(node, value, as: ShapeOperators.squeeze(value.shape, axes: axes))
        case "Unsqueeze":
            guard let axes = try orElse(node.ints("axes"), { () throws(ONNXImportError) in try constant(node, 1, "the axes")?.integers("Unsqueeze axes") }) else {
                throw ONNXImportError(message: "Unsqueeze needs axes")
            }
            try view(node, value, as: ShapeOperators.unsqueeze(value.shape, axes: axes))
        case "Flatten":
            try view(node, value, as: ShapeOperators.flatten(value.shape, axis: node.int("axis", default: 1)))
        default:
            let (shape, perm) = try ShapeOperators.transpose(value.shape, permutation: node.ints("perm"))
            let moved = perm.filter { value.shape[$0] != 1 }
            guard moved == moved.sorted() else {
                throw ONNXImportError(message: "perm \(perm) reorders the data's axes \(value.semantic) (shape \(value.shape)); only transposes that move axes of size 1 are supported")
            }
            try view(node, value, as: shape)
        }
    }

    // MARK: GRU

    /// 3·h² float32 recurrent weights fit in a 2 GB protobuf up to h ≈ 13,000.
    let maximumHiddenSize = 16_384

    mutating func visitGRU(_ node: ONNXNode) throws(ONNXImportError) {
        guard layers.isEmpty else {
            throw ONNXImportError(message: layers.contains { if case .recurrent = $0 { true } else { false } }
                ? "a second GRU; one recurrent layer is supported" : "the GRU must be the first layer, reading the input frames")
        }
        let x = try dataInput(node, 0)
        guard x.stage == .frames else {
            throw ONNXImportError(message: "the GRU must read the model's input frames (stacked recurrent layers are not supported)")
        }
        guard let hAttribute = node.attribute("hidden_size") else {
            throw ONNXImportError(message: "attribute 'hidden_size' is required")
        }
        let h = Int(clamping: hAttribute.i)
        guard (1...maximumHiddenSize).contains(h) else {
            throw ONNXImportError(message: "hidden_size \(hAttribute.i) is outside 1...\(maximumHiddenSize) (R alone would hold 3·h² floats; an ONNX file ends at 2 GB)")
        }
        let direction = try node.string("direction") ?? "forward"
        guard direction == "forward" || direction == "reverse" else {
            throw ONNXImportError(message: direction == "bidirectional"
                ? "bidirectional GRU is not supported (a streaming keyword spotter runs forward in time)"
                : "direction '\(direction)' is not one of forward, reverse, bidirectional")
        }
        if let activations = try node.strings("activations"), activations.map({ $0.lowercased() }) != ["sigmoid", "tanh"] {
            throw ONNXImportError(message: "activations \(activations) are not supported; the GRU gates must use the default activations [Sigmoid, Tanh]")
        }
        if node.attribute("clip") != nil {
            throw ONNXImportError(message: "attribute 'clip' (cell clipping) is not supported")
        }
        if node.attribute("activation_alpha") != nil || node.attribute("activation_beta") != nil {
            throw ONNXImportError(message: "activation_alpha/activation_beta are not supported (default activations only)")
        }
        let linearBeforeReset = try node.int("linear_before_reset", default: 0)
        guard linearBeforeReset == 0 || linearBeforeReset == 1 else {
            throw ONNXImportError(message: "linear_before_reset \(linearBeforeReset) must be 0 or 1")
        }
        let layout = try node.int("layout", default: 0)
        guard layout == 0 || layout == 1 else { throw ONNXImportError(message: "layout \(layout) must be 0 or 1") }
        let s = x.shape
        guard s.count == 3, layout == 0 ? s[1] == 1 : s[0] == 1 else {
            throw ONNXImportError(message: "input X has shape \(s); with layout \(layout) the GRU expects \(layout == 0 ? "[T, 1, I]" : "[1, T, I]") (batch 1)")
        }
        let t = layout == 0 ? s[0] : s[1], i = s[2]
        func weights(_ n: Int, _ role: String, _ expected: [Int]) throws(ONNXImportError) -> [Float]? {
            guard let tensor = try constant(node, n, role) else { return nil }
            guard tensor.shape == expected, tensor.isFloat else {
                throw ONNXImportError(message: "\(role) has shape \(tensor.shape); a GRU with input \(i) and hidden_size \(h) needs \(expected) floats")
            }
            return tensor.floats
        }
        guard let w = try weights(1, "W", [1, 3 * h, i]), let r = try weights(2, "R", [1, 3 * h, h]) else {
            throw ONNXImportError(message: "W and R are required")
        }
        let b = try weights(3, "B", [1, 6 * h]) ?? [Float](repeating: 0, count: 6 * h)
        var sequenceLength: Int?
        if let lens = try constant(node, 4, "sequence_lens") {
            let values = try lens.integers("sequence_lens")
            guard values.count == 1, let n = values.first, (1...t).contains(n) else {
                throw ONNXImportError(message: "sequence_lens \(values) must hold one length in 1...\(t) (batch 1)")
            }
            sequenceLength = n < t ? n : nil
        }
        let initial = try weights(5, "initial_h", [1, 1, h])
        do {
            layers.append(.recurrent(try GRULayer(inputSize: i, hiddenSize: h, w: w, r: r, wb: Array(b[0..<(3 * h)]), rb: Array(b[(3 * h)...]),
                               linearBeforeReset: linearBeforeReset == 1, initialState: initial,
                               sequenceLength: sequenceLength, reverse: direction == "reverse")))
        } catch {
            throw ONNXImportError(message: error.message)
        }
        let outputs = node.outputs
        if outputs.count > 0, !outputs[0].isEmpty {
            data[outputs[0]] = DataValue(stage: .sequence, shape: layout == 0 ? [t, 1, 1, h] : [1, t, 1, h], semantic: [t, h],
                                         openLayer: nil, layersBefore: 0, afterSoftmax: false)
        }
        if outputs.count > 1, !outputs[1].isEmpty {
            data[outputs[1]] = DataValue(stage: .vector, shape: [1, 1, h], semantic: [h], openLayer: nil,
                                         layersBefore: 0, afterSoftmax: false)
        }
    }

    /// Gather or Slice on Y: only the last computed step (which is Y_h).
    mutating func visitSelection(_ node: ONNXNode) throws(ONNXImportError) {
        let value = try dataInput(node, 0)
        guard value.stage == .sequence, case .recurrent(let g)? = layers.first, let t = value.semantic.first, t > 1 else {
            throw ONNXImportError(message: "\(node.op) on the data is supported only to take the last step of the GRU's Y")
        }
        let steps = g.steps(frames: t)
        let last = g.reverse ? 0 : steps - 1
        guard let timeAxis = value.shape.firstIndex(where: { $0 != 1 }) else {
            throw ONNXImportError(message: "cannot find the time axis of \(value.shape)")
        }
        var shape: [Int]
        if node.op == "Gather" {
            guard let indices = try constant(node, 1, "the indices") else { throw ONNXImportError(message: "Gather needs indices") }
            let axis = try normalizedAxis(node.int("axis", default: 0), rank: value.shape.count)
            let picks = try indices.integers("Gather indices").map { $0 < 0 ? $0 + value.shape[axis] : $0 }
            guard axis == timeAxis, picks == [last] else {
                throw ONNXImportError(message: "selects \(picks) on axis \(axis) of Y \(value.shape); only the last computed step (index \(last) on axis \(timeAxis)), which is Y_h, is supported")
            }
            shape = value.shape
            shape.replaceSubrange(axis...axis, with: indices.shape)
        } else {
            let inputs = node.inputs.indices.map { (n) -> ONNXTensor? in node.input(n).flatMap { constants[$0] } }
            let selected = try ShapeOperators.sliceSelection(node, shape: value.shape, inputs: inputs)
            for axis in selected.indices where axis == timeAxis ? selected[axis] != [last] : selected[axis].count != value.shape[axis] {
                throw ONNXImportError(message: "slices Y \(value.shape) to \(selected.map(\.count)); only the last computed step (index \(last) on axis \(timeAxis)), which is Y_h, is supported")
            }
            shape = selected.map(\.count)
        }
        try setData(node, DataValue(stage: .vector, shape: shape, semantic: [value.semantic[1]], openLayer: nil,
                                    layersBefore: layers.count, afterSoftmax: false))
    }

    // MARK: Dense layers

    func vectorInput(_ node: ONNXNode) throws(ONNXImportError) -> (DataValue, Int) {
        let value = try dataInput(node, 0)
        guard value.stage == .vector, let n = value.semantic.last, value.semantic.count == 1 else {
            throw ONNXImportError(message: "\(node.op) must act on a vector (the GRU's last state or a dense layer's output), got \(value.shape)")
        }
        return (value, n)
    }

    mutating func appendLayer(_ node: ONNXNode, inputs n: Int, outputs m: Int, w: [Float], b: [Float], shape: [Int]) throws(ONNXImportError) {
        do {
            layers.append(.dense(try DenseLayer(inputs: n, outputs: m, w: w, b: b)))
        } catch {
            throw ONNXImportError(message: error.message)
        }
        try setData(node, DataValue(stage: .vector, shape: shape, semantic: [m], openLayer: layers.count - 1,
                                    layersBefore: layers.count, afterSoftmax: false))
    }

    mutating func visitGemm(_ node: ONNXNode) throws(ONNXImportError) {
        let (a, n) = try vectorInput(node)
        let transA = try node.int("transA", default: 0) != 0, transB = try node.int("transB", default: 0) != 0
        guard a.shape == (transA ? [n, 1] : [1, n]) else {
            throw ONNXImportError(message: "A has shape \(a.shape); Gemm expects \(transA ? "[\(n), 1] with transA" : "[1, \(n)]")")
        }
        guard let bTensor = try constant(node, 1, "B") else { throw ONNXImportError(message: "Gemm needs B") }
        let bs = bTensor.shape
        guard bs.count == 2, (transB ? bs[1] : bs[0]) == n else {
            throw ONNXImportError(message: "B has shape \(bs); with \(transB ? "transB" : "no transB") it must be \(transB ? "[M, \(n)]" : "[\(n), M]")")
        }
        let m = transB ? bs[0] : bs[1]
        let alpha = try node.float("alpha", default: 1), beta = try node.float("beta", default: 1)
        let bv = bTensor.floats
        var w = [Float](repeating: 0, count: m * n)
        for o in 0..<m { for k in 0..<n { w[o * n + k] = alpha * (transB ? bv[o * n + k] : bv[k * m + o]) } }
        var bias = [Float](repeating: 0, count: m)
        if let c = try constant(node, 2, "C") {
            guard (try? ShapeOperators.broadcast(c.shape, [1, m])) == [1, m] else {
                throw ONNXImportError(message: "C has shape \(c.shape), which does not broadcast to [1, \(m)]")
            }
            let cv = c.floats
            for (o, k) in ShapeOperators.broadcastIndices(from: c.shape, to: [1, m]).enumerated() { bias[o] = beta * cv[k] }
        }
        try appendLayer(node, inputs: n, outputs: m, w: w, b: bias, shape: [1, m])
    }

    mutating func visitMatMul(_ node: ONNXNode) throws(ONNXImportError) {
        guard node.input(0).flatMap({ data[$0] }) != nil else {
            throw ONNXImportError(message: "MatMul must take the data as its first operand (x · W)")
        }
        let (a, n) = try vectorInput(node)
        guard a.shape.last == n else {
            throw ONNXImportError(message: "A has shape \(a.shape); MatMul needs the vector in the last axis")
        }
        guard let bTensor = try constant(node, 1, "B") else { throw ONNXImportError(message: "MatMul needs B") }
        let bs = bTensor.shape.drop { $0 == 1 && bTensor.shape.count > 2 }
        guard bs.count == 2, bs.first == n, let m = bs.last else {
            throw ONNXImportError(message: "B has shape \(bTensor.shape); MatMul of a \(n)-vector needs [\(n), M]")
        }
        let bv = bTensor.floats
        var w = [Float](repeating: 0, count: m * n)
        for o in 0..<m { for k in 0..<n { w[o * n + k] = bv[k * m + o] } }
        try appendLayer(node, inputs: n, outputs: m, w: w, b: [Float](repeating: 0, count: m), shape: Array(a.shape.dropLast()) + [m])
    }

    /// Add, Sub, Mul or Div of a dense layer's raw output and a constant,
    /// folded into that layer's weights and bias.
    mutating func visitElementwise(_ node: ONNXNode) throws(ONNXImportError) {
        guard let first = node.input(0), let second = node.input(1) else {
            throw ONNXImportError(message: "\(node.op) needs two inputs")
        }
        let dataFirst = data[first] != nil
        guard dataFirst != (data[second] != nil) else {
            throw ONNXImportError(message: "\(node.op) of two computed values is not supported; one operand must be a constant")
        }
        let value = try dataInput(node, dataFirst ? 0 : 1)
        guard let c = constants[dataFirst ? second : first] else { throw ONNXImportError(message: "missing constant operand") }
        guard value.stage == .vector, let layer = value.openLayer, case .dense(var l) = layers[layer] else {
            throw ONNXImportError(message: "\(node.op) is supported only on a Gemm/MatMul output before its activation (it folds into that layer)")
        }
        guard (try? ShapeOperators.broadcast(value.shape, c.shape)) == value.shape else {
            throw ONNXImportError(message: "constant of shape \(c.shape) does not broadcast onto the data's shape \(value.shape)")
        }
        if node.op == "Div" && !dataFirst {
            throw ONNXImportError(message: "a constant divided by the data is not a linear layer")
        }
        let cv = c.floats
        let index = ShapeOperators.broadcastIndices(from: c.shape, to: value.shape)
        for o in 0..<l.outputs {
            let k = cv[index[o]]
            switch (node.op, dataFirst) {
            case ("Add", _): l.b[o] += k
            case ("Sub", true): l.b[o] -= k
            case ("Sub", false):
                l.b[o] = k - l.b[o]
                for j in 0..<l.inputs { l.w[o * l.inputs + j] = -l.w[o * l.inputs + j] }
            default:
                let scale = node.op == "Mul" ? k : 1 / k
                l.b[o] *= scale
                for j in 0..<l.inputs { l.w[o * l.inputs + j] *= scale }
            }
        }
        if let bad = (l.w + l.b).first(where: { !$0.isFinite }) {
            throw ONNXImportError(message: "folding the constant makes a weight \(bad)")
        }
        layers[layer] = .dense(l)
        var result = value
        result.shape = try ShapeOperators.broadcast(value.shape, c.shape)
        try setData(node, result)
    }

    mutating func visitActivation(_ node: ONNXNode) throws(ONNXImportError) {
        let value = try dataInput(node, 0)
        guard value.stage == .vector || value.stage == .image, let layer = value.openLayer else {
            throw ONNXImportError(message: "\(node.op) is supported only on a Gemm, MatMul or Conv output (the digital periphery applies it after the layer)")
        }
        let activation: Activation = node.op == "Relu" ? .relu : node.op == "Sigmoid" ? .sigmoid : .tanh
        switch layers[layer] {
        case .dense(var d):
            d.activation = activation
            layers[layer] = .dense(d)
        case .convolution(var c):
            c.activation = activation
            layers[layer] = .convolution(c)
        case .recurrent, .averagePool:
            throw ONNXImportError(message: "\(node.op) must follow a Gemm, MatMul or Conv")
        }
        var result = value
        result.openLayer = nil
        try setData(node, result)
    }

    mutating func visitSoftmax(_ node: ONNXNode) throws(ONNXImportError) {
        let (value, m) = try vectorInput(node)
        guard value.layersBefore == layers.count, !layers.isEmpty else {
            throw ONNXImportError(message: "Softmax must follow the model's layers")
        }
        let axis = try normalizedAxis(node.int("axis", default: opset >= 13 ? -1 : 1), rank: value.shape.count)
        let covered = opset >= 13 ? value.shape[axis] : elementCount(Array(value.shape[axis...]))
        guard covered == m, opset >= 13 || elementCount(Array(value.shape[..<axis])) == 1 else {
            throw ONNXImportError(message: "Softmax over axis \(axis) of \(value.shape) does not normalise the \(m) outputs together")
        }
        softmax = true
        var result = value
        result.openLayer = nil
        result.afterSoftmax = true
        try setData(node, result)
    }
}
