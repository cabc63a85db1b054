#if canImport(Glibc)
import CIMHAL
import CLinuxShim
import Glibc
import Synchronization

/// An I2C adapter through the kernel's i2c-dev interface (/dev/i2c-N).
///
/// A transaction is one I2C_RDWR ioctl when the adapter can do plain I2C
/// (I2C_FUNC_I2C): the kernel runs every leg between one START and one STOP,
/// which is the `I2CBus` contract. Adapters that only speak SMBus get the
/// transaction shapes SMBus can express (see `smbusTransaction`); any other
/// shape throws `.unsupported` rather than being split into several bus
/// operations.
///
/// One instance may be shared by several drivers (and threads): a lock
/// serialises the address selection and the transfer, so two drivers never
/// interleave on the file descriptor.
public final class LinuxI2CBus: I2CBus, Sendable {
    /// The device node, e.g. "/dev/i2c-1".
    public let path: String
    /// Whether addresses are selected with I2C_SLAVE_FORCE, which also
    /// talks to an address a kernel driver has claimed (and races it).
    public let forceAddress: Bool
    /// The adapter's I2C_FUNCS mask, read once when the bus is opened.
    public let functionality: UInt

    private let descriptor: Int32
    /// The address the descriptor is bound to (I2C_SLAVE), guarded by the
    /// lock that also serialises transfers.
    private let selectedAddress = Mutex<UInt8?>(nil)

    /// Most bytes the kernel accepts in one I2C_RDWR message (i2c-dev.c).
    public static let maximumMessageLength = 8192

    /// Opens /dev/i2c-`number`.
    public convenience init(bus number: Int, forceAddress: Bool = false) throws(HALError) {
        guard number >= 0, number <= Int(Int32.max) else {
            throw .invalidArgument("I2C bus number \(number) is not a valid /dev/i2c-N number (0 or more)")
        }
        try self.init(path: "/dev/i2c-\(number)", forceAddress: forceAddress)
    }

    /// Opens an i2c-dev node by path (also a udev symlink such as /dev/i2c-cim).
    public init(path: String, forceAddress: Bool = false) throws(HALError) {
        guard !path.isEmpty else { throw .invalidArgument("I2C device path is empty") }
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw LinuxI2CErrno.openError(errno, path: path) }
        var mask: UInt = 0
        let result = cimfw_i2c_funcs(fd, &mask)
        guard result == 0 else {
            close(fd)
            throw LinuxI2CErrno.openError(-result, path: path)
        }
        self.path = path
        self.forceAddress = forceAddress
        self.functionality = mask
        self.descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    /// Whether the adapter runs arbitrary combined transfers (I2C_RDWR).
    public var supportsPlainI2C: Bool { has(CIMFW_I2C_FUNC_I2C) }

    public func transaction(_ operations: [I2COperation], at address: I2CAddress) throws(HALError) -> [[UInt8]] {
        try Self.validate(operations)
        return try selectedAddress.withLock { (selected: inout UInt8?) throws(HALError) -> [[UInt8]] in
            try select(address, current: &selected)
            if supportsPlainI2C {
                return try readWriteTransaction(operations, at: address)
            }
            return try smbusTransaction(operations, at: address)
        }
    }

    /// Rejects what the kernel would reject, before touching the bus.
    static func validate(_ operations: [I2COperation]) throws(HALError) {
        guard !operations.isEmpty else { throw .invalidArgument("an I2C transaction needs at least one operation") }
        guard operations.count <= Int(CIMFW_I2C_RDWR_MAX_MSGS) else {
            throw .invalidArgument("an I2C transaction has at most \(CIMFW_I2C_RDWR_MAX_MSGS) operations (I2C_RDWR_IOCTL_MAX_MSGS), got \(operations.count)")
        }
        for operation in operations {
            switch operation {
            case let .write(bytes):
                guard bytes.count <= maximumMessageLength else {
                    throw .invalidArgument("I2C write of \(bytes.count) bytes exceeds the kernel's \(maximumMessageLength)-byte message limit")
                }
            case let .read(count):
                guard count >= 1, count <= maximumMessageLength else {
                    throw .invalidArgument("I2C read of \(count) bytes: must be 1...\(maximumMessageLength)")
                }
            }
        }
    }

    /// Binds the descriptor to `address` unless it already is. I2C_SLAVE is
    /// issued even for I2C_RDWR (whose messages carry the address) because it
    /// is the ioctl that refuses (EBUSY) an address a kernel driver owns.
    private func select(_ address: I2CAddress, current: inout UInt8?) throws(HALError) {
        guard current != address.rawValue else { return }
        let result = cimfw_i2c_set_address(descriptor, UInt16(address.rawValue), forceAddress ? 1 : 0)
        guard result == 0 else {
            current = nil
            let ioctl = forceAddress ? "I2C_SLAVE_FORCE" : "I2C_SLAVE"
            throw LinuxI2CErrno.error(-result, operation: "select \(address) on \(path) (\(ioctl))", address: address.rawValue)
        }
        current = address.rawValue
    }

    /// One I2C_RDWR: write legs as they are, read legs with I2C_M_RD, joined
    /// by repeated STARTs.
    private func readWriteTransaction(_ operations: [I2COperation], at address: I2CAddress) throws(HALError) -> [[UInt8]] {
        var isRead: [UInt8] = []
        var lengths: [UInt16] = []
        var data: [UInt8] = []
        isRead.reserveCapacity(operations.count)
        lengths.reserveCapacity(operations.count)
        for operation in operations {
            switch operation {
            case let .write(bytes):
                isRead.append(0)
                lengths.append(UInt16(bytes.count)) // ≤ 8192, checked by validate
                data.append(contentsOf: bytes)
            case let .read(count):
                isRead.append(1)
                lengths.append(UInt16(count))
                data.append(contentsOf: repeatElement(0, count: count))
            }
        }
        // The kernel wants a valid buffer even when every leg is empty.
        if data.isEmpty { data.append(0) }
        let result = data.withUnsafeMutableBufferPointer { buffer in
            cimfw_i2c_rdwr(descriptor, UInt16(address.rawValue), UInt32(operations.count), isRead, lengths, buffer.baseAddress)
        }
        guard result == 0 else {
            throw LinuxI2CErrno.transferError(-result, operation: "\(Self.shape(operations)) at \(address) on \(path) (I2C_RDWR)", address: address.rawValue)
        }
        var legs: [[UInt8]] = []
        var offset = 0
        for operation in operations {
            switch operation {
            case let .write(bytes):
                offset += bytes.count
            case let .read(count):
                legs.append(Array(data[offset..<(offset + count)]))
                offset += count
            }
        }
        return legs
    }

    /// The shapes SMBus can carry, each the same bytes on the wire as the
    /// I2C transaction: write 1 (send byte), write 2 (write byte data),
    /// write 3...33 (write I2C block), read 1 (receive byte), write 1 + read 1
    /// (read byte data), write 1 + read 2...32 (read I2C block).
    private func smbusTransaction(_ operations: [I2COperation], at address: I2CAddress) throws(HALError) -> [[UInt8]] {
        let shape = Self.shape(operations)
        let blockMax = Int(CIMFW_I2C_SMBUS_BLOCK_MAX)
        func require(_ function: some BinaryInteger, _ name: String) throws(HALError) {
            guard has(function) else {
                throw .unsupported("\(path) has no plain I2C and no SMBus \(name), so it cannot run \(shape)")
            }
        }
        func check(_ result: Int32, _ call: String) throws(HALError) {
            guard result >= 0 else {
                throw LinuxI2CErrno.transferError(-result, operation: "\(shape) at \(address) on \(path) (SMBus \(call))", address: address.rawValue)
            }
        }
        // Swift has no array patterns: match on the legs as a tuple.
        let first = operations[0]
        let second: I2COperation? = operations.count == 2 ? operations[1] : nil
        guard operations.count <= 2 else {
            throw .unsupported("\(path) has no plain I2C (only SMBus), and SMBus cannot carry \(shape)")
        }
        switch (first, second) {
        case let (.write(bytes), nil) where bytes.count == 1:
            try require(CIMFW_I2C_FUNC_SMBUS_WRITE_BYTE, "send byte")
            try check(cimfw_i2c_smbus_write_byte(descriptor, bytes[0]), "write_byte")
            return []
        case let (.write(bytes), nil) where bytes.count == 2:
            try require(CIMFW_I2C_FUNC_SMBUS_WRITE_BYTE_DATA, "write byte data")
            try check(cimfw_i2c_smbus_write_byte_data(descriptor, bytes[0], bytes[1]), "write_byte_data")
            return []
        case let (.write(bytes), nil) where bytes.count >= 3 && bytes.count <= blockMax + 1:
            try require(CIMFW_I2C_FUNC_SMBUS_WRITE_I2C_BLOCK, "write I2C block")
            let payload = Array(bytes.dropFirst())
            try check(cimfw_i2c_smbus_write_i2c_block(descriptor, bytes[0], UInt8(payload.count), payload), "write_i2c_block_data")
            return []
        case (.read(1), nil):
            try require(CIMFW_I2C_FUNC_SMBUS_READ_BYTE, "receive byte")
            var value: UInt8 = 0
            try check(cimfw_i2c_smbus_read_byte(descriptor, &value), "read_byte")
            return [[value]]
        case let (.write(command), .read(1)?) where command.count == 1:
            try require(CIMFW_I2C_FUNC_SMBUS_READ_BYTE_DATA, "read byte data")
            var value: UInt8 = 0
            try check(cimfw_i2c_smbus_read_byte_data(descriptor, command[0], &value), "read_byte_data")
            return [[value]]
        case let (.write(command), .read(count)?) where command.count == 1 && count >= 2 && count <= blockMax:
            try require(CIMFW_I2C_FUNC_SMBUS_READ_I2C_BLOCK, "read I2C block")
            var values = [UInt8](repeating: 0, count: count)
            let result = cimfw_i2c_smbus_read_i2c_block(descriptor, command[0], UInt8(count), &values)
            try check(result, "read_i2c_block_data")
            guard Int(result) == count else {
                throw .io(errno: LinuxI2CErrno.eio, operation: "\(shape) at \(address) on \(path) (SMBus read_i2c_block_data returned \(result) of \(count) bytes)")
            }
            return [values]
        default:
            throw .unsupported("\(path) has no plain I2C (only SMBus), and SMBus cannot carry \(shape)")
        }
    }

    private func has(_ function: some BinaryInteger) -> Bool {
        functionality & UInt(function) != 0
    }

    /// "write(1 byte), read(2 bytes)": how errors name a transaction.
    static func shape(_ operations: [I2COperation]) -> String {
        operations.map { operation in
            switch operation {
            case let .write(bytes): "write(\(bytes.count) byte\(bytes.count == 1 ? "" : "s"))"
            case let .read(count): "read(\(count) byte\(count == 1 ? "" : "s"))"
            }
        }.joined(separator: ", ")
    }
}
#endif
