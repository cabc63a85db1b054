#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over the POSIX calls the log needs, each turning a failure
/// into a `LogError` that names the path and the operation. POSIX rather
/// than Foundation so that what reaches the kernel, and when, is exact:
/// one write(2) per chunk of whole lines, fsync when asked, nothing cached.
struct LogFileDescriptor {
    let raw: Int32
    let path: String

    /// Opens `path` for appending, creating it (mode 0644) if missing.
    /// Read access too: the writer inspects an existing file before it appends.
    static func openForAppending(_ path: String) throws(LogError) -> LogFileDescriptor {
        try open(path, flags: O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, operation: .openForAppending)
    }

    static func openForReading(_ path: String) throws(LogError) -> LogFileDescriptor {
        try open(path, flags: O_RDONLY | O_CLOEXEC, operation: .openForReading)
    }

    private static func open(_ path: String, flags: Int32, operation: LogError.Operation) throws(LogError) -> LogFileDescriptor {
        var raw: Int32
        repeat { raw = Glibc.open(path, flags, 0o644) } while raw < 0 && Glibc.errno == EINTR
        guard raw >= 0 else { throw .system(path, operation, errno: Glibc.errno) }
        let file = LogFileDescriptor(raw: raw, path: path)
        // A directory opened read-only, a FIFO or a device is no log file.
        var info = stat()
        guard fstat(raw, &info) == 0 else {
            let code = Glibc.errno
            file.closeQuietly()
            throw .system(path, operation, errno: code)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            file.closeQuietly()
            throw LogError(path: path, operation: operation,
                           reason: .malformed(line: 0, found: "something that is not a regular file", expected: "a regular file"))
        }
        return file
    }

    func sizeBytes() throws(LogError) -> Int {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw .system(path, .inspect, errno: Glibc.errno) }
        return Int(info.st_size)
    }

    /// Reads up to `buffer.count` bytes at `offsetBytes`; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, atOffset offsetBytes: Int,
              operation: LogError.Operation) throws(LogError) -> Int {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        while true {
            let n = pread(raw, base, buffer.count, off_t(offsetBytes))
            if n >= 0 { return n }
            let code = Glibc.errno
            if code != EINTR { throw .system(path, operation, errno: code) }
        }
    }

    /// Writes every byte, retrying after EINTR and short writes. On failure
    /// the file is cut back to `restoringSizeBytes`, so a half-written chunk
    /// never stays in front of the next one.
    /// Crash tests only (`CIMFW_TEST_SLOW_LOG_WRITES=BYTES:MICROSECONDS`):
    /// each write(2) carries at most BYTES and is followed by a pause, so a
    /// SIGKILL lands inside a chunk's writes (scripts/log-kill-test.sh).
    static let slowWrites: (bytes: Int, microseconds: UInt32)? = {
        guard let value = getenv("CIMFW_TEST_SLOW_LOG_WRITES").map({ String(cString: $0) }) else { return nil }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let bytes = Int(parts[0]), bytes > 0, let pause = UInt32(parts[1]) else { return nil }
        return (bytes, pause)
    }()

    func writeAll(_ bytes: UnsafeRawBufferPointer, restoringSizeBytes: Int) throws(LogError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            var count = bytes.count - offset
            if let slow = Self.slowWrites {
                count = min(count, slow.bytes)
                if offset > 0 { usleep(slow.microseconds) }
            }
            let n = Glibc.write(raw, base + offset, count)
            if n > 0 {
                offset += n
                continue
            }
            let failure: LogError
            if n == 0 {
                failure = LogError(path: path, operation: .write, reason: .wroteNothing)
            } else {
                let code = Glibc.errno
                if code == EINTR { continue }
                failure = .system(path, .write, errno: code)
            }
            // Best effort: if this fails too, the next open repairs the torn tail.
            if offset > 0 { _ = ftruncate(raw, off_t(restoringSizeBytes)) }
            throw failure
        }
    }

    /// `writeAll` of `bytes[range]`.
    func writeAll(_ bytes: [UInt8], range: Range<Int>, restoringSizeBytes: Int) throws(LogError) {
        // Array's closure-taking methods rethrow untyped errors: carry the LogError out in a Result.
        let result: Result<Void, LogError> = bytes.withUnsafeBytes { raw in
            do throws(LogError) {
                try writeAll(UnsafeRawBufferPointer(rebasing: raw[range]), restoringSizeBytes: restoringSizeBytes)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// `read` into `buffer[range]`.
    func read(into buffer: inout [UInt8], range: Range<Int>, atOffset offsetBytes: Int,
              operation: LogError.Operation) throws(LogError) -> Int {
        let result: Result<Int, LogError> = buffer.withUnsafeMutableBytes { raw in
            do throws(LogError) {
                return .success(try read(into: UnsafeMutableRawBufferPointer(rebasing: raw[range]), atOffset: offsetBytes,
                                         operation: operation))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    func truncate(toBytes size: Int, operation: LogError.Operation) throws(LogError) {
        var result: Int32
        repeat { result = ftruncate(raw, off_t(size)) } while result != 0 && Glibc.errno == EINTR
        guard result == 0 else { throw .system(path, operation, errno: Glibc.errno) }
    }

    func sync() throws(LogError) {
        var result: Int32
        repeat { result = fsync(raw) } while result != 0 && Glibc.errno == EINTR
        guard result == 0 else { throw .system(path, .fsync, errno: Glibc.errno) }
    }

    /// close(2) is not retried after EINTR: on Linux the descriptor is gone either way.
    func close() throws(LogError) {
        guard Glibc.close(raw) == 0 else { throw .system(path, .close, errno: Glibc.errno) }
    }

    func closeQuietly() { _ = Glibc.close(raw) }
}

/// Path operations on the log and its rotated set.
enum LogFileSystem {
    /// rename(2); false when `from` does not exist.
    @discardableResult
    static func rename(_ from: String, to: String, operation: LogError.Operation) throws(LogError) -> Bool {
        guard Glibc.rename(from, to) != 0 else { return true }
        let code = Glibc.errno
        if code == ENOENT { return false }
        throw .system(from, operation, errno: code)
    }

    /// unlink(2); a missing file is not an error.
    static func remove(_ path: String, operation: LogError.Operation) throws(LogError) {
        guard unlink(path) != 0 else { return }
        let code = Glibc.errno
        if code != ENOENT { throw .system(path, operation, errno: code) }
    }

    /// fsync of the directory holding `path`, so a rename or a new file survives a power cut.
    static func syncDirectory(of path: String) throws(LogError) {
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let raw = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard raw >= 0 else { throw .system(directory, .fsync, errno: Glibc.errno) }
        defer { _ = Glibc.close(raw) }
        guard fsync(raw) == 0 else { throw .system(directory, .fsync, errno: Glibc.errno) }
    }
}
