/// A 7-bit I2C target address. Reserved addresses (0x00–0x07, 0x78–0x7F) are
/// rejected so a typo in a board file cannot address the general-call slot.
public struct I2CAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt8

    public static let validRange: ClosedRange<UInt8> = 0x08...0x77

    public init(_ rawValue: UInt8) throws(HALError) {
        guard Self.validRange.contains(rawValue) else {
            throw .invalidArgument("I2C address \(HALError.hex(rawValue)) is outside 0x08...0x77")
        }
        self.rawValue = rawValue
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { HALError.hex(rawValue) }
}

/// One leg of an I2C transaction. Adjacent legs are joined by a repeated
/// START; the transaction ends with a STOP.
public enum I2COperation: Sendable, Hashable {
    case write([UInt8])
    case read(count: Int)
}

/// An I2C controller.
///
/// The single requirement is `transaction`, as in embedded-hal: drivers build
/// every register access from it, and backends (i2c-dev, an emulated bus, a
/// recording mock) implement only it. The contract: the whole transaction is
/// one bus operation (START … STOP, no other traffic between its legs), and it
/// either completes or throws; a throw leaves no operation half-applied on the
/// host side.
public protocol I2CBus {
    /// Runs the operations as one transaction and returns the bytes of each
    /// `.read` leg, in order.
    mutating func transaction(_ operations: [I2COperation], at address: I2CAddress) throws(HALError) -> [[UInt8]]

    /// What one transaction can carry here (defaulted: any shape).
    var transfers: I2CTransferLimits { get }
}

/// What shapes of transaction a bus runs. A plain I2C controller runs any
/// (up to the kernel's 8192-byte messages); an SMBus-only adapter (many PC
/// chipsets and some SoCs) runs only the shapes SMBus defines: a write of at
/// most 33 bytes (command and a 32-byte block), or a command byte then a read
/// of at most 32, or a 1-byte read; no bare multi-byte read.
public struct I2CTransferLimits: Sendable, Hashable {
    public var smbusOnly: Bool
    /// The longest write leg, command byte included.
    public var maximumWrite: Int
    /// The longest read leg.
    public var maximumRead: Int
    /// The most legs one transaction may have.
    public var maximumOperations: Int

    public init(smbusOnly: Bool, maximumWrite: Int, maximumRead: Int, maximumOperations: Int = 42) {
        self.smbusOnly = smbusOnly
        self.maximumWrite = maximumWrite
        self.maximumRead = maximumRead
        self.maximumOperations = maximumOperations
    }

    /// Linux's i2c-dev: 8192-byte messages, 42 per I2C_RDWR (I2C_RDWR_IOCTL_MAX_MSGS).
    public static let plainI2C = I2CTransferLimits(smbusOnly: false, maximumWrite: 8192, maximumRead: 8192, maximumOperations: 42)
    /// SMBus 3.1: blocks of at most 32 bytes, a command then a read at most.
    public static let smbus = I2CTransferLimits(smbusOnly: true, maximumWrite: 33, maximumRead: 32, maximumOperations: 2)
}

extension I2CBus {
    public var transfers: I2CTransferLimits { .plainI2C }

    public mutating func write(_ bytes: [UInt8], to address: I2CAddress) throws(HALError) {
        _ = try transaction([.write(bytes)], at: address)
    }

    public mutating func read(count: Int, from address: I2CAddress) throws(HALError) -> [UInt8] {
        try onlyRead(transaction([.read(count: count)], at: address), count: count, address: address)
    }

    /// Writes (typically a register pointer) then reads after a repeated START.
    public mutating func writeRead(_ bytes: [UInt8], readCount: Int, at address: I2CAddress) throws(HALError) -> [UInt8] {
        try onlyRead(transaction([.write(bytes), .read(count: readCount)], at: address), count: readCount, address: address)
    }

    private func onlyRead(_ legs: [[UInt8]], count: Int, address: I2CAddress) throws(HALError) -> [UInt8] {
        guard legs.count == 1, legs[0].count == count else {
            // EIO (5 on Linux and Darwin): the kernel's "vague I/O error".
            throw .io(errno: 5, operation: "read of \(count) bytes from \(address) returned \(legs.map(\.count)) bytes")
        }
        return legs[0]
    }
}
