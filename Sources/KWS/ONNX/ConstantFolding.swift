/// Evaluates a node whose inputs are all constants: the shape arithmetic an
/// exporter emits (PyTorch's Shape → Gather → Unsqueeze → Concat → Reshape
/// chains, Constant nodes, casts), done once at import time.
enum ConstantFolding {
    static let operators: Set<String> = [
        "Constant", "Identity", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Reshape", "Slice",
        "Cast", "ConstantOfShape", "Transpose", "Flatten", "Add", "Sub", "Mul", "Div", "Expand",
    ]

    /// `inputs[n]` is nil for an absent optional input.
    static func evaluate(_ node: ONNXNode, _ inputs: [ONNXTensor?]) throws(ONNXImportError) -> ONNXTensor {
        func input(_ n: Int) throws(ONNXImportError) -> ONNXTensor {
            guard n < inputs.count, let t = inputs[n] else {
                throw ONNXImportError(message: "input \(n) is missing")
            }
            return t
        }
        switch node.op {
        case "Constant":
            return try constant(node)
        case "Identity":
            return try input(0)
        case "Shape":
            let shape = try input(0).shape
            let start = try normalizedClamped(node.int("start", default: 0), shape.count)
            let end = try normalizedClamped(node.int("end", default: shape.count), shape.count)
            let dims = start < end ? Array(shape[start..<end]) : []
            return ONNXTensor(shape: [dims.count], ints: dims.map { Int64($0) })
        case "Gather":
            let data = try input(0), indices = try input(1)
            let axis = try normalizedAxis(node.int("axis", default: 0), rank: data.shape.count)
            let size = data.shape[axis]
            var picks: [Int] = []
            for i in try indices.integers("Gather indices") {
                let k = i < 0 ? i + size : i
                guard (0..<size).contains(k) else {
                    throw ONNXImportError(message: "index \(i) is outside axis \(axis) of size \(size)")
                }
                picks.append(k)
            }
            let outer = elementCount(Array(data.shape[..<axis])), inner = elementCount(Array(data.shape[(axis + 1)...]))
            var flat: [Int] = []
            for o in 0..<outer { for k in picks { for n in 0..<inner { flat.append((o * size + k) * inner + n) } } }
            return data.gathering(flat, shape: Array(data.shape[..<axis]) + indices.shape + Array(data.shape[(axis + 1)...]))
        case "Unsqueeze":
            let data = try input(0)
            guard let axes = try orElse(node.ints("axes"), { () throws(ONNXImportError) in try input(1).integers("Unsqueeze axes") }) else {
                throw ONNXImportError(message: "Unsqueeze needs axes")
            }
            return data.reshaped(try ShapeOperators.unsqueeze(data.shape, axes: axes))
        case "Squeeze":
            let data = try input(0)
            var axes = try node.ints("axes")
            if axes == nil, inputs.count > 1, let t = inputs[1] { axes = try t.integers("Squeeze axes") }
            return data.reshaped(try ShapeOperators.squeeze(data.shape, axes: axes))
        case "Flatten":
            let data = try input(0)
            return data.reshaped(try ShapeOperators.flatten(data.shape, axis: node.int("axis", default: 1)))
        case "Reshape":
            let data = try input(0)
            let target = try input(1).integers("Reshape shape")
            return data.reshaped(try ShapeOperators.reshape(data.shape, to: target, allowZero: node.int("allowzero", default: 0) != 0))
        case "Concat":
            let parts = try (0..<inputs.count).map { (n) throws(ONNXImportError) in try input(n) }
            guard let first = parts.first else { throw ONNXImportError(message: "Concat has no inputs") }
            let axis = try normalizedAxis(node.int("axis", default: 0), rank: first.shape.count)
            for p in parts where p.shape.count != first.shape.count || p.isFloat != first.isFloat
                || p.shape.enumerated().contains(where: { $0.offset != axis && $0.element != first.shape[$0.offset] }) {
                throw ONNXImportError(message: "cannot concatenate shapes \(first.shape) and \(p.shape) on axis \(axis)")
            }
            let outer = elementCount(Array(first.shape[..<axis]))
            var shape = first.shape
            shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
            var floats: [Float] = [], ints: [Int64] = []
            for o in 0..<outer {
                for p in parts {
                    let block = elementCount(Array(p.shape[axis...]))
                    if first.isFloat { floats += p.floats[(o * block)..<((o + 1) * block)] }
                    else { ints += p.ints[(o * block)..<((o + 1) * block)] }
                }
            }
            return first.isFloat ? ONNXTensor(shape: shape, floats: floats) : ONNXTensor(shape: shape, ints: ints)
        case "Slice":
            let data = try input(0)
            let selected = try ShapeOperators.sliceSelection(node, shape: data.shape, inputs: inputs)
            let s = strides(data.shape)
            var flat: [Int] = [0]
            for axis in data.shape.indices {
                flat = flat.flatMap { base in selected[axis].map { base + $0 * s[axis] } }
            }
            return data.gathering(flat, shape: selected.map(\.count))
        case "Cast":
            let data = try input(0)
            switch try node.int("to", default: 1) {
            case 1, 11: return ONNXTensor(shape: data.shape, floats: data.floats)
            case 6, 7: return ONNXTensor(shape: data.shape, ints: data.ints)
            case let other: throw ONNXImportError(message: "cast to ONNX data type \(other) is not supported (FLOAT, DOUBLE, INT32, INT64 are)")
            }
        case "ConstantOfShape":
            let shape = try input(0).integers("ConstantOfShape shape")
            let value = try node.attribute("value").map { (a) throws(ONNXImportError) in try ONNXTensor(a.t) }
                ?? ONNXTensor(shape: [1], floats: [0])
            guard value.count == 1 else { throw ONNXImportError(message: "ConstantOfShape value must hold one element") }
            return value.gathering([Int](repeating: 0, count: elementCount(shape)), shape: shape)
        case "Expand":
            let data = try input(0)
            let shape = try ShapeOperators.broadcast(data.shape, input(1).integers("Expand shape"))
            return data.gathering(ShapeOperators.broadcastIndices(from: data.shape, to: shape), shape: shape)
        case "Transpose":
            let data = try input(0)
            let (shape, perm) = try ShapeOperators.transpose(data.shape, permutation: node.ints("perm"))
            let source = strides(data.shape), out = strides(shape)
            let flat = (0..<data.count).map { f in
                perm.indices.reduce(0) { $0 + (f / out[$1]) % shape[$1] * source[perm[$1]] }
            }
            return data.gathering(flat, shape: shape)
        case "Add", "Sub", "Mul", "Div":
            let a = try input(0), b = try input(1)
            let shape = try ShapeOperators.broadcast(a.shape, b.shape)
            let ia = ShapeOperators.broadcastIndices(from: a.shape, to: shape)
            let ib = ShapeOperators.broadcastIndices(from: b.shape, to: shape)
            if a.isFloat || b.isFloat {
                let x = a.floats, y = b.floats
                var out = [Float](repeating: 0, count: ia.count)
                for n in ia.indices {
                    let p = x[ia[n]], q = y[ib[n]]
                    switch node.op {
                    case "Add": out[n] = p + q
                    case "Sub": out[n] = p - q
                    case "Mul": out[n] = p * q
                    default: out[n] = p / q
                    }
                }
                return ONNXTensor(shape: shape, floats: out)
            }
            let x = a.ints, y = b.ints
            var out: [Int64] = []
            for (i, j) in zip(ia, ib) {
                switch node.op {
                case "Add": out.append(x[i] &+ y[j])
                case "Sub": out.append(x[i] &- y[j])
                case "Mul": out.append(x[i] &* y[j])
                default:
                    guard y[j] != 0 else { throw ONNXImportError(message: "integer division by zero") }
                    out.append(x[i] / y[j])
                }
            }
            return ONNXTensor(shape: shape, ints: out)
        default:
            throw ONNXImportError(message: "operator \(node.op) cannot be evaluated on constants")
        }
    }

    private static func constant(_ node: ONNXNode) throws(ONNXImportError) -> ONNXTensor {
        if let a = node.attribute("value") { return try ONNXTensor(a.t) }
        if let a = node.attribute("value_float") { return ONNXTensor(shape: [], floats: [a.f]) }
        if let a = node.attribute("value_floats") { return ONNXTensor(shape: [a.floats.count], floats: a.floats) }
        if let a = node.attribute("value_int") { return ONNXTensor(shape: [], ints: [a.i]) }
        if let a = node.attribute("value_ints") { return ONNXTensor(shape: [a.ints.count], ints: a.ints) }
        throw ONNXImportError(message: "Constant needs a value, value_float(s) or value_int(s) attribute")
    }

    private static func normalizedClamped(_ v: Int, _ rank: Int) -> Int {
        max(0, min(rank, v < 0 ? v + rank : v))
    }
}
