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
/// transaction shapes SMBus can express (see `SMBusCall.plan`); any other
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

    public var transfers: I2CTransferLimits { supportsPlainI2C ? .plainI2C : .smbus }

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
            if -result == LinuxI2CErrno.ebusy { throw LinuxI2CErrno.ownedAddressError(address: address.rawValue, path: path) }
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

    /// Runs a transaction as the one SMBus call that puts the same bytes on
    /// the wire (`SMBusCall.plan`), if the adapter has that call.
    private func smbusTransaction(_ operations: [I2COperation], at address: I2CAddress) throws(HALError) -> [[UInt8]] {
        let shape = Self.shape(operations)
        guard let call = SMBusCall.plan(operations, functionality: functionality) else {
            throw .unsupported("\(path) has no plain I2C (only SMBus), and SMBus cannot carry \(shape)")
        }
        guard has(call.function) else {
            throw .unsupported("\(path) has no plain I2C and no SMBus \(call.name), so it cannot run \(shape)")
        }
        func check(_ result: Int32) throws(HALError) {
            guard result >= 0 else {
                throw LinuxI2CErrno.transferError(-result, operation: "\(shape) at \(address) on \(path) (SMBus \(call.name))", address: address.rawValue)
            }
        }
        switch call {
        case let .sendByte(value):
            try check(cimfw_i2c_smbus_write_byte(descriptor, value))
            return []
        case let .writeByteData(command, value):
            try check(cimfw_i2c_smbus_write_byte_data(descriptor, command, value))
            return []
        case let .writeI2CBlock(command, payload):
            try check(cimfw_i2c_smbus_write_i2c_block(descriptor, command, UInt8(payload.count), payload))
            return []
        case .receiveByte:
            var value: UInt8 = 0
            try check(cimfw_i2c_smbus_read_byte(descriptor, &value))
            return [[value]]
        case let .readByteData(command):
            var value: UInt8 = 0
            try check(cimfw_i2c_smbus_read_byte_data(descriptor, command, &value))
            return [[value]]
        case let .readWordData(command):
            // SMBus words travel low byte first; the wire order (what the chip sent first) is returned.
            var word: UInt16 = 0
            try check(cimfw_i2c_smbus_read_word_data(descriptor, command, &word))
            return [[UInt8(word & 0xFF), UInt8(word >> 8)]]
        case let .writeWordData(command, first, second):
            try check(cimfw_i2c_smbus_write_word_data(descriptor, command, UInt16(first) | UInt16(second) << 8))
            return []
        case let .readI2CBlock(command, count):
            var values = [UInt8](repeating: 0, count: count)
            let result = cimfw_i2c_smbus_read_i2c_block(descriptor, command, UInt8(count), &values)
            try check(result)
            guard Int(result) == count else {
                throw .io(errno: LinuxI2CErrno.eio, operation: "\(shape) at \(address) on \(path) (SMBus \(call.name) returned \(result) of \(count) bytes)")
            }
            return [values]
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
/// The SMBus calls (libi2c) a transaction can become on an adapter without
/// I2C_FUNC_I2C, each the same bytes on the wire as the I2C transaction.
enum SMBusCall: Equatable {
    /// write 1 byte
    case sendByte(UInt8)
    /// write 2 bytes: command, value
    case writeByteData(command: UInt8, value: UInt8)
    /// write 3...33 bytes: command, then 2...32 bytes
    case writeI2CBlock(command: UInt8, payload: [UInt8])
    /// read 1 byte
    case receiveByte
    /// write 1 byte (command), read 1 byte after a repeated START
    case readByteData(command: UInt8)
    /// write 1 byte (command), read 2...32 bytes after a repeated START
    case readI2CBlock(command: UInt8, count: Int)
    /// write 1 byte (command), read 2 bytes: an SMBus word (a 16-bit register)
    case readWordData(command: UInt8)
    /// write 3 bytes: command, then a 16-bit register's two bytes in wire order
    case writeWordData(command: UInt8, first: UInt8, second: UInt8)

    /// The call for `operations`, or nil when SMBus cannot express them
    /// (more than two legs, a read first in two, a longer write before a read,
    /// blocks over 32 bytes, an empty write).
    /// Two-byte registers go as SMBus words when the adapter has word calls
    /// (every SMBus adapter does; some have no I2C block calls), else as I2C blocks.
    static func plan(_ operations: [I2COperation], functionality: UInt) -> SMBusCall? {
        let call = plan(operations)
        switch call {
        case let .readI2CBlock(command, 2)? where functionality & UInt(CIMFW_I2C_FUNC_SMBUS_READ_WORD_DATA) != 0:
            return .readWordData(command: command)
        case let .writeI2CBlock(command, payload)? where payload.count == 2 && functionality & UInt(CIMFW_I2C_FUNC_SMBUS_WRITE_WORD_DATA) != 0:
            return .writeWordData(command: command, first: payload[0], second: payload[1])
        default:
            return call
        }
    }

    static func plan(_ operations: [I2COperation]) -> SMBusCall? {
        let blockMax = Int(CIMFW_I2C_SMBUS_BLOCK_MAX)
        switch operations.count {
        case 1:
            switch operations[0] {
            case let .write(bytes) where bytes.count == 1:
                return .sendByte(bytes[0])
            case let .write(bytes) where bytes.count == 2:
                return .writeByteData(command: bytes[0], value: bytes[1])
            case let .write(bytes) where bytes.count >= 3 && bytes.count <= blockMax + 1:
                return .writeI2CBlock(command: bytes[0], payload: Array(bytes.dropFirst()))
            case .read(1):
                return .receiveByte
            default:
                return nil
            }
        case 2:
            guard case let .write(command) = operations[0], command.count == 1,
                  case let .read(count) = operations[1] else { return nil }
            if count == 1 { return .readByteData(command: command[0]) }
            if count >= 2 && count <= blockMax { return .readI2CBlock(command: command[0], count: count) }
            return nil
        default:
            return nil
        }
    }

    /// The I2C_FUNCS bit the adapter needs for this call.
    var function: Int {
        switch self {
        case .sendByte: Int(CIMFW_I2C_FUNC_SMBUS_WRITE_BYTE)
        case .writeByteData: Int(CIMFW_I2C_FUNC_SMBUS_WRITE_BYTE_DATA)
        case .writeI2CBlock: Int(CIMFW_I2C_FUNC_SMBUS_WRITE_I2C_BLOCK)
        case .receiveByte: Int(CIMFW_I2C_FUNC_SMBUS_READ_BYTE)
        case .readByteData: Int(CIMFW_I2C_FUNC_SMBUS_READ_BYTE_DATA)
        case .readI2CBlock: Int(CIMFW_I2C_FUNC_SMBUS_READ_I2C_BLOCK)
        case .readWordData: Int(CIMFW_I2C_FUNC_SMBUS_READ_WORD_DATA)
        case .writeWordData: Int(CIMFW_I2C_FUNC_SMBUS_WRITE_WORD_DATA)
        }
    }

    /// The libi2c function, for messages.
    var name: String {
        switch self {
        case .sendByte: "i2c_smbus_write_byte"
        case .writeByteData: "i2c_smbus_write_byte_data"
        case .writeI2CBlock: "i2c_smbus_write_i2c_block_data"
        case .receiveByte: "i2c_smbus_read_byte"
        case .readByteData: "i2c_smbus_read_byte_data"
        case .readI2CBlock: "i2c_smbus_read_i2c_block_data"
        case .readWordData: "i2c_smbus_read_word_data"
        case .writeWordData: "i2c_smbus_write_word_data"
        }
    }
}
#endif
