import Foundation

/// One graph node with typed access to its attributes; every accessor
/// throws an error that names the attribute and what it should be.
struct ONNXNode {
    let proto: Onnx_NodeProto
    /// The node's name, or its position and operator when it has none.
    let label: String

    init(_ proto: Onnx_NodeProto, index: Int) {
        self.proto = proto
        label = proto.name.isEmpty ? "#\(index) \(proto.opType)" : proto.name
    }

    var op: String { proto.opType }
    var inputs: [String] { proto.input }
    var outputs: [String] { proto.output }

    /// Input `n`, or nil when it is absent (past the end or the empty name).
    func input(_ n: Int) -> String? {
        n < proto.input.count && !proto.input[n].isEmpty ? proto.input[n] : nil
    }

    func attribute(_ name: String) -> Onnx_AttributeProto? { proto.attribute.first { $0.name == name } }

    func int(_ name: String, default value: Int) throws(ONNXImportError) -> Int {
        guard let a = attribute(name) else { return value }
        guard a.type == .int || (a.type == .undefined && a.hasI) else {
            throw ONNXImportError(message: "attribute '\(name)' must be an integer")
        }
        return Int(clamping: a.i)
    }

    func float(_ name: String, default value: Float) throws(ONNXImportError) -> Float {
        guard let a = attribute(name) else { return value }
        guard a.type == .float || (a.type == .undefined && a.hasF) else {
            throw ONNXImportError(message: "attribute '\(name)' must be a float")
        }
        return a.f
    }

    func ints(_ name: String) throws(ONNXImportError) -> [Int]? {
        guard let a = attribute(name) else { return nil }
        guard a.type == .ints || a.type == .undefined else {
            throw ONNXImportError(message: "attribute '\(name)' must be a list of integers")
        }
        return a.ints.map { Int(clamping: $0) }
    }

    func string(_ name: String) throws(ONNXImportError) -> String? {
        guard let a = attribute(name) else { return nil }
        guard a.type == .string || (a.type == .undefined && a.hasS) else {
            throw ONNXImportError(message: "attribute '\(name)' must be a string")
        }
        return String(decoding: a.s, as: UTF8.self)
    }

    func strings(_ name: String) throws(ONNXImportError) -> [String]? {
        guard let a = attribute(name) else { return nil }
        guard a.type == .strings || a.type == .undefined else {
            throw ONNXImportError(message: "attribute '\(name)' must be a list of strings")
        }
        return a.strings.map { String(decoding: $0, as: UTF8.self) }
    }
}

/// `axis` in −rank..<rank made non-negative, or an error naming the attribute.
func normalizedAxis(_ axis: Int, rank: Int, _ what: String = "axis") throws(ONNXImportError) -> Int {
    guard axis >= -rank && axis < max(rank, 1) else {
        throw ONNXImportError(message: "\(what) \(axis) is outside −\(rank)..<\(rank) for a rank-\(rank) tensor")
    }
    return axis < 0 ? axis + rank : axis
}

/// `value ?? fallback()` for a fallback with a typed throw (`??` rethrows
/// untyped errors).
func orElse<T>(_ value: T?, _ fallback: () throws(ONNXImportError) -> T?) throws(ONNXImportError) -> T? {
    if let value { return value }
    return try fallback()
}
