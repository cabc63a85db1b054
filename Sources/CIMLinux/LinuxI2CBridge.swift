#if canImport(Glibc)
import CIMHAL
import Glibc

/// The user-space end of the cimbridge kernel module
/// (scripts/hil-qemu/module/cimbridge.c): the module's I2C adapters forward
/// every transfer to the process holding /dev/cimbridge, which answers it.
/// `cimfw emulate` answers with the project's device models, so the real
/// drivers, through i2c-dev and i2c-core, talk to the models the emulated
/// bus uses.
public final class LinuxI2CBridge {
    /// One transfer as the kernel's adapter received it.
    public struct Request: Sendable, Hashable {
        public struct Message: Sendable, Hashable {
            public var address: UInt16
            public var isRead: Bool
            /// Read messages: bytes wanted. Write messages: `bytes.count`.
            public var length: Int
            public var bytes: [UInt8]
        }
        public var id: UInt32
        /// 0: the plain-I2C adapter; 1: the SMBus-only one.
        public var adapter: Int
        public var messages: [Message]
    }

    public let path: String
    private let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: LinuxI2CBridge.maximumRequestBytes)

    static let magic: UInt32 = 0x4249_4D43
    static let maximumRequestBytes = 64 * 1024
    static let headerBytes = 16, messageBytes = 8, replyHeaderBytes = 12

    /// Opens the bridge; only one process may hold it (EBUSY otherwise).
    public init(path: String = "/dev/cimbridge") throws(HALError) {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            switch e {
            case LinuxI2CErrno.enoent:
                throw .unsupported("\(path) does not exist: load the cimbridge module (scripts/hil-qemu/module) first")
            case LinuxI2CErrno.ebusy:
                throw .busy("\(path) is held by another emulator; one process answers for the bridge's devices")
            case LinuxI2CErrno.eacces, LinuxI2CErrno.eperm:
                throw .io(errno: e, operation: "open \(path) (permission denied: run as root)")
            default:
                throw .io(errno: e, operation: "open \(path)")
            }
        }
        self.path = path
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// The next transfer, or nil when none arrives within `timeoutSeconds`.
    public func next(timeoutSeconds: Double) throws(HALError) -> Request? {
        var p = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(max(0, min(timeoutSeconds * 1000, Double(Int32.max))))
        let ready = poll(&p, 1, milliseconds)
        if ready < 0 {
            if errno == EINTR { return nil }
            throw .io(errno: errno, operation: "poll \(path)")
        }
        guard ready > 0 else { return nil }
        let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EAGAIN || errno == EINTR { return nil }
            throw .io(errno: errno, operation: "read a request from \(path)")
        }
        return try Self.parse(buffer[0..<n], path: path)
    }

    /// Parses one request; the kernel wrote it, but a module of another
    /// version could disagree, so every length is checked.
    static func parse(_ bytes: ArraySlice<UInt8>, path: String) throws(HALError) -> Request {
        let b = Array(bytes)
        func u16(_ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
        func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
        func bad(_ what: String) -> HALError { .io(errno: LinuxI2CErrno.eio, operation: "request from \(path): \(what)") }
        guard b.count >= headerBytes else { throw bad("\(b.count) bytes, shorter than its 16-byte header") }
        guard u32(0) == magic else { throw bad("magic 0x\(String(u32(0), radix: 16)), expected 0x\(String(magic, radix: 16)) (module and cimfw disagree)") }
        let count = Int(u16(10)), writeBytes = Int(u32(12))
        guard b.count == headerBytes + count * messageBytes + writeBytes else {
            throw bad("\(b.count) bytes for \(count) messages and \(writeBytes) write bytes")
        }
        var messages: [Request.Message] = []
        var offset = headerBytes + count * messageBytes
        for k in 0..<count {
            let m = headerBytes + k * messageBytes
            let flags = u16(m + 2), length = Int(u16(m + 4))
            let isRead = flags & 1 != 0
            var data: [UInt8] = []
            if !isRead {
                guard offset + length <= b.count else { throw bad("message \(k) overruns the request") }
                data = Array(b[offset..<(offset + length)])
                offset += length
            }
            messages.append(.init(address: u16(m), isRead: isRead, length: length, bytes: data))
        }
        return Request(id: u32(4), adapter: Int(u16(8)), messages: messages)
    }

    /// Answers `request`: the read messages' bytes in order, or an errno
    /// (ENXIO for an address nobody answers, as i2c-rk3x reports it).
    public func answer(_ request: Request, reads: [[UInt8]]) throws(HALError) {
        try reply(id: request.id, status: 0, data: reads.flatMap { $0 })
    }

    public func answer(_ request: Request, errno status: Int32) throws(HALError) {
        try reply(id: request.id, status: UInt32(bitPattern: status), data: [])
    }

    private func reply(id: UInt32, status: UInt32, data: [UInt8]) throws(HALError) {
        var out: [UInt8] = []
        out.reserveCapacity(Self.replyHeaderBytes + data.count)
        for v in [Self.magic, id, status] { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
        out += data
        let n = out.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard n == out.count else {
            // ESTALE: the kernel gave up on this transfer (its timeout) before the answer came.
            let e = n < 0 ? errno : LinuxI2CErrno.eio
            throw .io(errno: e, operation: "answer transfer \(id) on \(path)")
        }
    }
}
#endif
