/// Output shapes of the layout operators (Reshape, Squeeze, Unsqueeze,
/// Flatten, Transpose, Slice), shared by constant folding and by the data
/// path, where they are checked to leave the data's order alone.
enum ShapeOperators {
    static func reshape(_ input: [Int], to target: [Int], allowZero: Bool) throws(ONNXImportError) -> [Int] {
        var result = target
        var inferred: Int?
        for (n, d) in target.enumerated() {
            if d == 0 && !allowZero {
                guard n < input.count else {
                    throw ONNXImportError(message: "shape \(target) copies dimension \(n) (0) but the input \(input) has rank \(input.count)")
                }
                result[n] = input[n]
            } else if d == -1 {
                guard inferred == nil else { throw ONNXImportError(message: "shape \(target) has more than one −1") }
                inferred = n
            } else if d < 0 {
                throw ONNXImportError(message: "shape \(target) has dimension \(d); expected ≥ −1")
            }
        }
        let total = elementCount(input)
        if let n = inferred {
            let known = result.enumerated().reduce(1) { $1.offset == n ? $0 : $0 * $1.element }
            guard known > 0, total % known == 0 else {
                throw ONNXImportError(message: "cannot reshape \(input) (\(total) elements) to \(target)")
            }
            result[n] = total / known
        }
        guard elementCount(result) == total else {
            throw ONNXImportError(message: "cannot reshape \(input) (\(total) elements) to \(target) (\(elementCount(result)) elements)")
        }
        return result
    }

    static func squeeze(_ input: [Int], axes: [Int]?) throws(ONNXImportError) -> [Int] {
        guard let axes else { return input.filter { $0 != 1 } }
        var drop = Set<Int>()
        for a in axes {
            let axis = try normalizedAxis(a, rank: input.count, "squeeze axis")
            guard input[axis] == 1 else {
                throw ONNXImportError(message: "cannot squeeze axis \(a) of shape \(input): its size is \(input[axis]), not 1")
            }
            drop.insert(axis)
        }
        return input.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
    }

    static func unsqueeze(_ input: [Int], axes: [Int]) throws(ONNXImportError) -> [Int] {
        let rank = input.count + axes.count
        var inserted = Set<Int>()
        for a in axes {
            let axis = try normalizedAxis(a, rank: rank, "unsqueeze axis")
            guard inserted.insert(axis).inserted else {
                throw ONNXImportError(message: "unsqueeze axes \(axes) repeat an axis")
            }
        }
        var result: [Int] = []
        var next = input.makeIterator()
        for axis in 0..<rank { result.append(inserted.contains(axis) ? 1 : (next.next() ?? 1)) }
        return result
    }

    static func flatten(_ input: [Int], axis: Int) throws(ONNXImportError) -> [Int] {
        let a = try normalizedAxis(axis, rank: input.count + 1, "flatten axis")
        return [elementCount(Array(input[..<a])), elementCount(Array(input[a...]))]
    }

    static func transpose(_ input: [Int], permutation: [Int]?) throws(ONNXImportError) -> (shape: [Int], permutation: [Int]) {
        let perm = permutation ?? Array((0..<input.count).reversed())
        guard perm.sorted() == Array(0..<input.count) else {
            throw ONNXImportError(message: "perm \(perm) is not a permutation of the \(input.count) axes")
        }
        return (perm.map { input[$0] }, perm)
    }

    /// One axis's selected indices for ONNX Slice (start, end, step with
    /// negative-index and clamping rules).
    static func sliceIndices(size: Int, start: Int, end: Int, step: Int) throws(ONNXImportError) -> [Int] {
        guard step != 0 else { throw ONNXImportError(message: "slice step 0 is not allowed") }
        func clamp(_ v: Int, _ low: Int, _ high: Int) -> Int { max(low, min(high, v)) }
        var s = start < 0 ? start + size : start
        var e = end < 0 ? end + size : end
        if step > 0 {
            s = clamp(s, 0, size); e = clamp(e, 0, size)
            return Array(stride(from: s, to: e, by: step))
        }
        s = clamp(s, -1, size - 1); e = clamp(e, -1, size - 1)
        return Array(stride(from: s, to: e, by: step))
    }

    /// The numpy broadcast of two shapes.
    static func broadcast(_ a: [Int], _ b: [Int]) throws(ONNXImportError) -> [Int] {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var result: [Int] = []
        for (x, y) in zip(pa, pb) {
            guard x == y || x == 1 || y == 1 else {
                throw ONNXImportError(message: "shapes \(a) and \(b) do not broadcast")
            }
            result.append(x == 1 ? y : x)
        }
        return result
    }

    /// For each element of `target` (a broadcast of `shape`), the flat index
    /// of the element of `shape` it reads.
    static func broadcastIndices(from shape: [Int], to target: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: target.count - shape.count) + shape
        let source = strides(padded), out = strides(target)
        return (0..<elementCount(target)).map { flat in
            var index = 0
            for axis in target.indices where padded[axis] != 1 {
                index += (flat / out[axis]) % target[axis] * source[axis]
            }
            return index
        }
    }

    /// The indices Slice keeps along every axis of `shape`; `inputs` are the
    /// node's constant inputs (starts, ends, axes, steps from opset 10; the
    /// attributes before).
    static func sliceSelection(_ node: ONNXNode, shape: [Int], inputs: [ONNXTensor?]) throws(ONNXImportError) -> [[Int]] {
        func list(_ n: Int, _ role: String) throws(ONNXImportError) -> [Int]? {
            guard n < inputs.count, let t = inputs[n] else { return nil }
            return try t.integers(role)
        }
        guard let starts = try orElse(node.ints("starts"), { () throws(ONNXImportError) in try list(1, "Slice starts") }),
              let ends = try orElse(node.ints("ends"), { () throws(ONNXImportError) in try list(2, "Slice ends") }) else {
            throw ONNXImportError(message: "Slice needs constant starts and ends")
        }
        let axes = try orElse(node.ints("axes"), { () throws(ONNXImportError) in try list(3, "Slice axes") }) ?? Array(0..<starts.count)
        let steps = try list(4, "Slice steps") ?? [Int](repeating: 1, count: starts.count)
        guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
            throw ONNXImportError(message: "Slice starts, ends, axes and steps differ in length")
        }
        var selected = shape.map { Array(0..<$0) }
        for n in starts.indices {
            let axis = try normalizedAxis(axes[n], rank: shape.count, "slice axis")
            selected[axis] = try sliceIndices(size: shape[axis], start: starts[n], end: ends[n], step: steps[n])
        }
        return selected
    }
}
