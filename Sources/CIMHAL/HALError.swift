/// Which part of an I2C transfer went unacknowledged.
///
/// Some controllers (the Raspberry Pi's i2c-bcm2835 and i2c-designware) report
/// every NACK with one errno, so the source is not always known.
public enum NACKSource: String, Sendable, Hashable, Codable {
    case address
    case data
    case unknown
}

/// Every failure a HAL device can report, classified so that a caller can
/// decide what to do without knowing which backend produced it.
///
/// Modelled on embedded-hal's `ErrorKind`: a small set of kinds, each carrying
/// enough context for a message that names the device and the operation.
public enum HALError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The device did not acknowledge its address or a data byte; `operation`
    /// names the transfer and the bus it was on, where the backend knows them
    /// ("write(1 byte), read(2 bytes) at 0x40 on /dev/i2c-1 (I2C_RDWR)").
    case noAcknowledge(NACKSource, address: UInt8, operation: String = "")
    /// An operation did not finish within its explicit limit (0 when the
    /// limit was the hardware's own, as with an adapter's ETIMEDOUT).
    case timeout(operation: String, limitSeconds: Double)
    /// Another controller won arbitration on a multi-controller bus.
    case arbitrationLost(address: UInt8)
    /// The resource is held by someone else (a kernel driver, another process).
    case busy(String)
    /// An operating-system call failed with this errno.
    case io(errno: Int32, operation: String)
    /// A caller passed a value outside what the device accepts.
    case invalidArgument(String)
    /// The device or backend cannot do this at all.
    case unsupported(String)

    public var description: String {
        switch self {
        case let .noAcknowledge(source, address, operation):
            let hex = Self.hex(address)
            let during = operation.isEmpty ? "" : " (\(operation))"
            switch source {
            case .address: return "device at \(hex) did not acknowledge its address\(during)"
            case .data: return "device at \(hex) did not acknowledge a data byte\(during)"
            case .unknown: return "device at \(hex) did not acknowledge (address or data)\(during)"
            }
        case let .timeout(operation, limit):
            // 0: the limit was not ours (an I2C adapter's own, reported as ETIMEDOUT).
            return limit > 0 ? "\(operation) timed out after \(limit) s" : "\(operation) timed out at the adapter's own limit"
        case let .arbitrationLost(address):
            return "lost bus arbitration while addressing \(Self.hex(address))"
        case let .busy(message):
            return "busy: \(message)"
        case let .io(errno, operation):
            return "\(operation) failed with errno \(errno)"
        case let .invalidArgument(message):
            return "invalid argument: \(message)"
        case let .unsupported(message):
            return "unsupported: \(message)"
        }
    }

    /// "0x08": two digits, as i2cdetect prints addresses.
    public static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }
}
