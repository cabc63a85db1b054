#if canImport(Glibc)
import Glibc
#endif

/// A log file that could not be written, read or configured: which file,
/// doing what, and why — an errno with its text, or the value that was
/// wrong and what was expected — so the message alone says what to fix.
public struct LogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the log was doing when it failed.
    public enum Operation: String, Sendable, Hashable {
        case configure = "configure the log"
        case openForAppending = "open for appending"
        case openForReading = "open for reading"
        case inspect = "inspect the existing file"
        case read = "read"
        case repairTornLine = "cut a torn last line"
        case moveAside = "move a log with another header aside"
        case append = "append a row"
        case write = "write"
        case undoPartialWrite = "cut back a partly written chunk"
        case fsync = "fsync"
        case rotate = "rotate"
        case removeOldest = "remove the oldest rotated log"
        case close = "close"
        case parse = "parse"
        case openDatabase = "open the database"
        case query = "query the database"
        case commit = "commit rows"
        case rename = "rename into place"
    }

    /// Why it failed.
    public enum Reason: Sendable, Hashable {
        /// A system call failed with this errno; `message` is its strerror text.
        case system(errno: Int32, message: String)
        /// `write(2)` accepted no bytes without reporting an error.
        case wroteNothing
        /// The writer was closed (by `close()`, or by a rotation that failed).
        case closed
        /// A setting or an argument had a value that cannot work.
        case invalidValue(name: String, value: String, expected: String)
        /// The file is not what the log can use or read (line is 1-based; 0 when not about one line).
        case malformed(line: Int, found: String, expected: String)
        /// SQLite returned this (extended) result code; `message` is its text.
        case sqlite(code: Int32, message: String)
    }

    public var path: String
    public var operation: Operation
    public var reason: Reason

    public init(path: String, operation: Operation, reason: Reason) {
        self.path = path
        self.operation = operation
        self.reason = reason
    }

    /// A failed system call, with errno's text taken now (before anything else can change errno).
    public static func system(_ path: String, _ operation: Operation, errno code: Int32) -> LogError {
        LogError(path: path, operation: operation, reason: .system(errno: code, message: String(cString: strerror(code))))
    }

    /// The errno of a failed system call, nil for any other reason.
    /// SQLite's "database or disk is full" reads as ENOSPC, so a full disk
    /// stalls either log the same way.
    public var errno: Int32? {
        switch reason {
        case .system(let code, _): return code
        case .sqlite(let code, _) where code & 0xFF == 13: return ENOSPC
        default: return nil
        }
    }

    public var description: String {
        switch reason {
        case .system(let code, let message):
            return "\(path): \(operation.rawValue) failed: \(message) (errno \(code))"
        case .wroteNothing:
            return "\(path): \(operation.rawValue) failed: write(2) accepted no bytes"
        case .closed:
            return "\(path): \(operation.rawValue) failed: the log is closed"
        case .invalidValue(let name, let value, let expected):
            return "\(path): \(operation.rawValue) failed: \(name) is \(value); expected \(expected)"
        case .malformed(let line, let found, let expected):
            let place = line > 0 ? "line \(line): " : ""
            return "\(path): \(operation.rawValue) failed: \(place)found \(found); expected \(expected)"
        case .sqlite(let code, let message):
            return "\(path): \(operation.rawValue) failed: \(message) (SQLite code \(code))"
        }
    }
}
