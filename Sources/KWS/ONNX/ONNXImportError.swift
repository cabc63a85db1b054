/// Why an ONNX file could not be imported: the file, the node (by name, or
/// by position and operator when it has none) and what was expected.
public struct ONNXImportError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// The offending node's name; nil when the problem is not one node's
    /// (an unreadable file, a missing graph input or output).
    public var node: String?
    public var operatorType: String?
    public var message: String

    public init(file: String = "", node: String? = nil, operatorType: String? = nil, message: String) {
        self.file = file
        self.node = node
        self.operatorType = operatorType
        self.message = message
    }

    public var description: String {
        var where_ = file.isEmpty ? "" : "\(file): "
        if let node { where_ += "node '\(node)'\(operatorType.map { " (\($0))" } ?? ""): " }
        return where_ + message
    }
}
