import CIMHAL

/// errno from an i2c-dev call, mapped once, here, to a HAL error.
///
/// Controllers disagree (Documentation/i2c/fault-codes.rst is the intent,
/// not the practice): i2c-bcm2835 (Raspberry Pi ≤ 4) and i2c-designware
/// (Raspberry Pi 5) report every NACK as EREMOTEIO; i2c-rk3x uses ENXIO for
/// an address NACK. Neither says which byte was refused, except ENXIO.
public enum LinuxI2CErrno {
    public static let eio: Int32 = 5
    public static let enxio: Int32 = 6
    public static let eagain: Int32 = 11
    public static let ebusy: Int32 = 16
    public static let einval: Int32 = 22
    public static let eopnotsupp: Int32 = 95
    public static let etimedout: Int32 = 110
    public static let eremoteio: Int32 = 121

    public static func error(_ errno: Int32, operation: String, address: UInt8) -> HALError {
        switch errno {
        case enxio: return .noAcknowledge(.address, address: address)
        case eremoteio: return .noAcknowledge(.unknown, address: address)
        case etimedout: return .timeout(operation: operation, limitSeconds: 0)
        case eagain: return .arbitrationLost(address: address)
        case ebusy:
            return .busy("address 0x\(String(address, radix: 16)) is owned by a kernel driver: unbind it (echo <bus>-00\(String(address, radix: 16)) > /sys/bus/i2c/drivers/<driver>/unbind) or remove its device-tree overlay")
        case eopnotsupp: return .unsupported("\(operation): the I2C adapter cannot do this transfer")
        case einval: return .invalidArgument("\(operation): rejected by the kernel (EINVAL)")
        default: return .io(errno: errno, operation: operation)
        }
    }
}
