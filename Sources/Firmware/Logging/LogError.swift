#if canImport(Glibc)
import Glibc
#endif

/// A log file operation that failed: which file, doing what, and why.
public struct LogError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var errno: Int32?
    public var message: String

    public init(path: String, operation: String, errno: Int32? = nil, message: String? = nil) {
        self.path = path
        self.operation = operation
        self.errno = errno
        self.message = message ?? errno.map { String(cString: strerror($0)) } ?? "failed"
    }

    public var description: String {
        "\(path): \(operation) failed: \(message)" + (errno.map { " (errno \($0))" } ?? "")
    }
}
