import CIMHAL
#if canImport(Glibc)
import Glibc
#endif

/// errno from an i2c-dev call, mapped once, here, to a HAL error.
///
/// Controllers disagree (Documentation/i2c/fault-codes.rst is the intent,
/// not the practice): i2c-bcm2835 (Raspberry Pi ≤ 4) and i2c-designware
/// (Raspberry Pi 5) report every NACK as EREMOTEIO; i2c-rk3x uses ENXIO for
/// an address NACK. Neither says which byte was refused, except ENXIO.
public enum LinuxI2CErrno {
    public static let eperm: Int32 = 1
    public static let enoent: Int32 = 2
    public static let eio: Int32 = 5
    public static let enxio: Int32 = 6
    public static let eagain: Int32 = 11
    public static let eacces: Int32 = 13
    public static let ebusy: Int32 = 16
    public static let enodev: Int32 = 19
    public static let einval: Int32 = 22
    public static let enotty: Int32 = 25
    public static let elibacc: Int32 = 79
    public static let eopnotsupp: Int32 = 95
    public static let etimedout: Int32 = 110
    public static let eremoteio: Int32 = 121

    public static func error(_ errno: Int32, operation: String, address: UInt8) -> HALError {
        switch errno {
        case enxio: return .noAcknowledge(.address, address: address, operation: operation)
        case eremoteio: return .noAcknowledge(.unknown, address: address, operation: operation)
        case etimedout: return .timeout(operation: operation, limitSeconds: 0)
        case eagain: return .arbitrationLost(address: address)
        case ebusy:
            return .busy("address \(HALError.hex(address)) is owned by a kernel driver: unbind it or remove its device-tree overlay")
        case eopnotsupp: return .unsupported("\(operation): the I2C adapter cannot do this transfer")
        case einval: return .invalidArgument("\(operation): rejected by the kernel (EINVAL)")
        default: return .io(errno: errno, operation: operation)
        }
    }
}

extension LinuxI2CErrno {
    /// errno from a transfer (I2C_RDWR or an SMBus call) rather than from
    /// I2C_SLAVE. There EBUSY means the bus stayed busy too long
    /// (fault-codes.rst), not that a kernel driver owns the address.
    public static func transferError(_ errno: Int32, operation: String, address: UInt8) -> HALError {
        guard errno != ebusy else {
            return .busy("\(operation): the bus stayed busy too long (another controller, or SDA/SCL held low)")
        }
        return error(errno, operation: operation, address: address)
    }

    /// EBUSY from I2C_SLAVE: a kernel driver has claimed the address. Says
    /// which one (from sysfs) and the command that unbinds it.
    public static func ownedAddressError(address: UInt8, path: String) -> HALError {
        guard let bus = path.split(separator: "-").last.flatMap({ Int($0) }) else {
            return error(ebusy, operation: "select \(HALError.hex(address)) on \(path)", address: address)
        }
        let hex = String(address, radix: 16)
        let device = "\(bus)-" + String(repeating: "0", count: 4 - hex.count) + hex
        let driver = driverName(ofDevice: device) ?? "<driver>"
        return .busy("address \(HALError.hex(address)) on \(path) is owned by kernel driver \(driver): unbind it with `echo \(device) | sudo tee /sys/bus/i2c/drivers/\(driver)/unbind`, or remove the device-tree overlay that binds it")
    }

    /// The driver bound to an I2C client, read from /sys/bus/i2c/devices/<device>/driver.
    static func driverName(ofDevice device: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/sys/bus/i2c/devices/\(device)/driver", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.split(separator: "/").last.map(String.init)
    }

    /// errno from open(2) or the first ioctl on an i2c-dev node. The message
    /// names the path and the usual fix, because these are set-up mistakes,
    /// not bus faults.
    public static func openError(_ errno: Int32, path: String) -> HALError {
        switch errno {
        case enoent, enodev:
            return .io(errno: errno, operation: "open \(path) (no such I2C adapter: load i2c-dev with `sudo modprobe i2c-dev`, enable the bus, e.g. dtparam=i2c_arm=on on a Raspberry Pi, and check `ls /dev/i2c-*`)")
        case eacces, eperm:
            return .io(errno: errno, operation: "open \(path) (permission denied: add the user to group i2c with `sudo usermod -aG i2c $USER` and log in again)")
        case enotty:
            return .unsupported("\(path) is not an i2c-dev adapter (I2C_FUNCS failed with ENOTTY)")
        default:
            return .io(errno: errno, operation: "open \(path)")
        }
    }
}

/// errno from a libgpiod call (through CLinuxShim), mapped once, here.
public enum LinuxGPIOErrno {
    /// Opening a chip by path or label.
    public static func openError(_ errno: Int32, chip: String) -> HALError {
        switch errno {
        case LinuxI2CErrno.enoent:
            return .io(errno: errno, operation: "open GPIO chip \(chip) (no such chip: list chips, their labels and line names with `gpiodetect` and `gpioinfo`)")
        case LinuxI2CErrno.eacces, LinuxI2CErrno.eperm:
            return .io(errno: errno, operation: "open GPIO chip \(chip) (permission denied: add the user to group gpio with `sudo usermod -aG gpio $USER` and log in again)")
        case LinuxI2CErrno.enotty, LinuxI2CErrno.enodev:
            return .unsupported("\(chip) is not a GPIO character device (/dev/gpiochipN)")
        case LinuxI2CErrno.elibacc:
            return .unsupported("open GPIO chip \(chip): libgpiod could not be loaded (\(LinuxGPIOChip.libgpiodLibrary)). cimfw loads libgpiod.so.3 (libgpiod 2.x: `apt install libgpiod3` on Debian 13) or else libgpiod.so.2 (1.x: `apt install libgpiod2` on Debian 12); CIMFW_LIBGPIOD names another library")
        default:
            return .io(errno: errno, operation: "open GPIO chip \(chip)")
        }
    }

    /// Requesting, reading, driving or waiting on a line. `apiVersion` is the
    /// libgpiod API loaded: v1's line calls are the character device's v1
    /// ioctls, which kernels built without CONFIG_GPIO_CDEV_V1 (Debian's 7.x,
    /// and more to come: it is deprecated) refuse with EINVAL.
    public static func error(_ errno: Int32, operation: String,
                             apiVersion: Int? = LinuxGPIOChip.libgpiodAPIVersion) -> HALError {
        switch errno {
        case LinuxI2CErrno.ebusy:
            return .busy("\(operation): the line is held by another consumer or the kernel (`gpioinfo` shows which)")
        case LinuxI2CErrno.einval where apiVersion == 1:
            return .unsupported("\(operation): rejected by the kernel (EINVAL). cimfw loaded libgpiod 1.x (\(LinuxGPIOChip.libgpiodLibrary)), whose calls are the GPIO character device's v1 ioctls, and a kernel built without CONFIG_GPIO_CDEV_V1 (Debian's 7.x; check /boot/config-$(uname -r)) refuses every one of them: this kernel needs libgpiod 2.x (libgpiod.so.3: `apt install libgpiod3` on Debian 13), which cimfw loads in preference when it is installed, or names with CIMFW_LIBGPIOD")
        case LinuxI2CErrno.einval:
            return .invalidArgument("\(operation): rejected by the kernel (EINVAL)")
        case LinuxI2CErrno.eopnotsupp:
            return .unsupported("\(operation): the GPIO chip cannot do this")
        default:
            return .io(errno: errno, operation: operation)
        }
    }
}
