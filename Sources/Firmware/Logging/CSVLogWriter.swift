#if canImport(Glibc)
import Glibc
#endif

/// An append-only CSV log that survives the process being killed.
///
/// Rows are buffered and handed to the kernel with write(2) whole, at the
/// flush interval: a kill loses at most the rows since the last flush and
/// never damages an earlier one, because the file only ever grows by whole
/// lines. (A power cut can still tear the last line; `fsyncOnFlush` narrows
/// that window, and the next open cuts a torn tail back to the last newline.)
/// When a flush would grow the file past `rotateBytes`, the file moves to
/// `name.1.csv` (older ones shift up, the oldest beyond `keepRotated` goes)
/// and a fresh file starts with the header. A file whose header differs is
/// rotated aside rather than mixed with rows of another shape.
public final class CSVLogWriter {
    public let path: String
    public let header: [String]
    public let flushIntervalSeconds: Double
    public let rotateBytes: Int
    public let keepRotated: Int
    public let fsyncOnFlush: Bool
    /// Bytes cut from a torn last line when the file was opened.
    public private(set) var repairedBytes = 0
    public private(set) var recordsWritten = 0
    public private(set) var recordsFlushed = 0
    public private(set) var rotations = 0
    private var fileDescriptor: Int32 = -1
    private var fileBytes = 0
    private var pending: [UInt8] = []
    private var pendingRecords = 0
    private var lastFlushSeconds: Double?
    private let headerLine: [UInt8]

    public init(path: String, header: [String], flushIntervalSeconds: Double, rotateBytes: Int, keepRotated: Int,
                fsyncOnFlush: Bool = false) throws(LogError) {
        self.path = path
        self.header = header
        self.flushIntervalSeconds = flushIntervalSeconds
        self.rotateBytes = max(4096, rotateBytes)
        self.keepRotated = max(0, keepRotated)
        self.fsyncOnFlush = fsyncOnFlush
        headerLine = Array((header.map(CSVLogWriter.quote).joined(separator: ",") + "\n").utf8)
        pending.reserveCapacity(64 * 1024)
        try open()
    }

    deinit { if fileDescriptor >= 0 { _ = Glibc.close(fileDescriptor) } }

    /// Queues one row (fields already formatted) and flushes when the
    /// interval since the last flush has passed at `nowSeconds`.
    public func append(_ fields: [String], nowSeconds: Double) throws(LogError) {
        guard fields.count == header.count else {
            throw LogError(path: path, operation: "append", message: "a row of \(fields.count) fields; the header has \(header.count)")
        }
        for (k, field) in fields.enumerated() {
            if k > 0 { pending.append(UInt8(ascii: ",")) }
            pending.append(contentsOf: CSVLogWriter.quote(field).utf8)
        }
        pending.append(UInt8(ascii: "\n"))
        pendingRecords += 1
        recordsWritten += 1
        let last = lastFlushSeconds ?? nowSeconds
        if lastFlushSeconds == nil { lastFlushSeconds = nowSeconds }
        if nowSeconds - last >= flushIntervalSeconds || pending.count >= 1 << 20 {
            try flush(nowSeconds: nowSeconds)
        }
    }

    /// Hands every queued row to the kernel (and the disk, with fsyncOnFlush).
    public func flush(nowSeconds: Double? = nil) throws(LogError) {
        if let nowSeconds { lastFlushSeconds = nowSeconds }
        guard !pending.isEmpty else { return }
        if fileBytes + pending.count > rotateBytes && fileBytes > headerLine.count {
            try rotate()
        }
        try writeAll(pending)
        fileBytes += pending.count
        if fsyncOnFlush && fsync(fileDescriptor) != 0 {
            throw LogError(path: path, operation: "fsync", errno: errno)
        }
        pending.removeAll(keepingCapacity: true)
        recordsFlushed += pendingRecords
        pendingRecords = 0
    }

    public func close() throws(LogError) {
        try flush()
        if fileDescriptor >= 0 { _ = Glibc.close(fileDescriptor) }
        fileDescriptor = -1
    }

    /// RFC 4180: a field is quoted only when it holds a comma, a quote or a line break.
    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: File handling

    private func open() throws(LogError) {
        let existing = try Self.readFile(path)
        if let existing, !existing.isEmpty {
            // Cut a torn last line back to the last newline.
            let keep = (existing.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
            if keep < existing.count {
                repairedBytes = existing.count - keep
                guard truncate(path, off_t(keep)) == 0 else { throw LogError(path: path, operation: "truncate a torn last line", errno: errno) }
            }
            let firstLine = existing.prefix(while: { $0 != UInt8(ascii: "\n") }) + [UInt8(ascii: "\n")]
            if keep > 0 && Array(firstLine) != headerLine {
                try shiftRotated()
                guard rename(path, rotatedPath(1)) == 0 else { throw LogError(path: path, operation: "move a log with another header aside", errno: errno) }
                rotations += 1
            }
        }
        fileDescriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fileDescriptor >= 0 else { throw LogError(path: path, operation: "open for appending", errno: errno) }
        var info = stat()
        guard fstat(fileDescriptor, &info) == 0 else { throw LogError(path: path, operation: "stat", errno: errno) }
        fileBytes = Int(info.st_size)
        if fileBytes == 0 {
            try writeAll(headerLine)
            fileBytes = headerLine.count
        }
    }

    private func rotate() throws(LogError) {
        _ = Glibc.close(fileDescriptor)
        fileDescriptor = -1
        try shiftRotated()
        guard rename(path, rotatedPath(1)) == 0 else { throw LogError(path: path, operation: "rotate", errno: errno) }
        rotations += 1
        try open()
    }

    /// name.(k).csv → name.(k+1).csv from the oldest down; the oldest beyond the limit is removed.
    private func shiftRotated() throws(LogError) {
        if keepRotated == 0 { return }
        _ = unlink(rotatedPath(keepRotated))
        var k = keepRotated - 1
        while k >= 1 {
            if access(rotatedPath(k), F_OK) == 0 && rename(rotatedPath(k), rotatedPath(k + 1)) != 0 {
                throw LogError(path: rotatedPath(k), operation: "rotate", errno: errno)
            }
            k -= 1
        }
    }

    /// energy.csv → energy.1.csv (a name without .csv gets .1 appended).
    public func rotatedPath(_ k: Int) -> String {
        path.hasSuffix(".csv") ? String(path.dropLast(4)) + ".\(k).csv" : path + ".\(k)"
    }

    private func writeAll(_ bytes: [UInt8]) throws(LogError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in Glibc.write(fileDescriptor, raw.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LogError(path: path, operation: "write", errno: errno)
            }
            offset += n
        }
    }

    static func readFile(_ path: String) throws(LogError) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw LogError(path: path, operation: "open to check the last line", errno: errno)
        }
        defer { _ = Glibc.close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LogError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }
}
