import CIMHAL
import Testing
@testable import CIMLinux

/// errno from i2c-dev becomes a HAL error once, in one place.
@Suite struct LinuxErrnoTests {
    /// libgpiod 1.x on a kernel without CONFIG_GPIO_CDEV_V1 gets EINVAL for
    /// every line call: the error says which library the kernel needs.
    @Test func einvalUnderLibgpiodOneSaysTheKernelNeedsLibgpiodTwo() {
        guard case let .unsupported(message) = LinuxGPIOErrno.error(22, operation: "find line \"GPIO17\" on GPIO chip gpiochip0", apiVersion: 1) else {
            Issue.record("EINVAL under libgpiod 1.x is unsupported"); return
        }
        #expect(message.contains("GPIO17") && message.contains("CONFIG_GPIO_CDEV_V1") && message.contains("libgpiod 2.x")
                && message.contains("libgpiod.so.3") && message.contains("CIMFW_LIBGPIOD"), "\(message)")
    }

    @Test func einvalUnderLibgpiodTwoIsAnInvalidArgument() {
        #expect(LinuxGPIOErrno.error(22, operation: "request line 3", apiVersion: 2) == .invalidArgument("request line 3: rejected by the kernel (EINVAL)"))
    }

    /// No libgpiod installed: the chip cannot be opened, and the error says
    /// which packages provide one and how to name another.
    @Test func aMissingLibgpiodNamesThePackagesThatProvideIt() {
        guard case let .unsupported(message) = LinuxGPIOErrno.openError(79, chip: "/dev/gpiochip0") else {
            Issue.record("ELIBACC is unsupported"); return
        }
        #expect(message.contains("/dev/gpiochip0") && message.contains("libgpiod3") && message.contains("libgpiod2")
                && message.contains("CIMFW_LIBGPIOD"), "\(message)")
    }

    @Test func aNACKNamesTheTransferTheAddressAndTheBus() {
        let error = LinuxI2CErrno.transferError(6, operation: "write(1 byte), read(2 bytes) at 0x41 on /dev/i2c-3 (I2C_RDWR)", address: 0x41)
        let text = "\(error)"
        #expect(text.contains("0x41") && text.contains("/dev/i2c-3") && text.contains("read(2 bytes)") && text.contains("its address"), "\(text)")
    }

    @Test func nackErrnosBecomeNACKsWithTheirSource() {
        #expect(LinuxI2CErrno.error(6, operation: "read", address: 0x40) == .noAcknowledge(.address, address: 0x40, operation: "read"))
        #expect(LinuxI2CErrno.error(121, operation: "read", address: 0x40) == .noAcknowledge(.unknown, address: 0x40, operation: "read"),
                "EREMOTEIO (Raspberry Pi controllers) does not say address or data")
    }

    @Test func timeoutsArbitrationAndBusyAreTheirOwnKinds() {
        #expect(LinuxI2CErrno.error(11, operation: "write", address: 0x41) == .arbitrationLost(address: 0x41))
        guard case .timeout = LinuxI2CErrno.error(110, operation: "write", address: 0x41) else {
            Issue.record("ETIMEDOUT is a timeout"); return
        }
        guard case let .busy(message) = LinuxI2CErrno.error(16, operation: "open", address: 0x40) else {
            Issue.record("EBUSY is busy"); return
        }
        #expect(message.contains("unbind") && message.contains("0x40"), "\(message)")
    }

    @Test func anOwnedAddressNamesTheSysfsDeviceAndTheUnbindCommand() {
        guard case let .busy(message) = LinuxI2CErrno.ownedAddressError(address: 0x08, path: "/dev/i2c-1") else {
            Issue.record("EBUSY on I2C_SLAVE is busy"); return
        }
        // Linux names I2C clients <bus>-<4 hex digits>; no sysfs here, so the driver is a placeholder.
        #expect(message.contains("echo 1-0008 | sudo tee /sys/bus/i2c/drivers/"), "\(message)")
        #expect(message.contains("/dev/i2c-1"))
    }

    @Test func anAdapterTimeoutDoesNotClaimALimitOfZeroSeconds() {
        let error = LinuxI2CErrno.error(110, operation: "read at 0x40", address: 0x40)
        #expect(error.description == "read at 0x40 timed out at the adapter's own limit")
    }

    @Test func anythingElseKeepsItsErrno() {
        #expect(LinuxI2CErrno.error(5, operation: "read", address: 0x40) == .io(errno: 5, operation: "read"))
    }

    @Test func openErrorsNameThePathAndTheFix() {
        guard case let .io(errno, operation) = LinuxI2CErrno.openError(2, path: "/dev/i2c-3") else {
            Issue.record("ENOENT on open is an OS error"); return
        }
        #expect(errno == 2 && operation.contains("/dev/i2c-3") && operation.contains("i2c-dev"))
        guard case let .io(_, denied) = LinuxI2CErrno.openError(13, path: "/dev/i2c-1") else {
            Issue.record("EACCES on open is an OS error"); return
        }
        #expect(denied.contains("/dev/i2c-1") && denied.contains("group i2c"), "\(denied)")
        guard case let .unsupported(message) = LinuxI2CErrno.openError(25, path: "/dev/null") else {
            Issue.record("ENOTTY: not an adapter"); return
        }
        #expect(message.contains("/dev/null"))
    }

    @Test func gpioErrnosBecomeHALErrors() {
        guard case let .busy(message) = LinuxGPIOErrno.error(16, operation: "request line 4") else {
            Issue.record("EBUSY on a line request is busy"); return
        }
        #expect(message.contains("request line 4") && message.contains("gpioinfo"))
        guard case .invalidArgument = LinuxGPIOErrno.error(22, operation: "request line 4", apiVersion: 2) else {
            Issue.record("EINVAL is an invalid argument"); return
        }
        #expect(LinuxGPIOErrno.error(5, operation: "read line 4") == .io(errno: 5, operation: "read line 4"))
        guard case let .io(_, denied) = LinuxGPIOErrno.openError(13, chip: "/dev/gpiochip0") else {
            Issue.record("EACCES on open is an OS error"); return
        }
        #expect(denied.contains("/dev/gpiochip0") && denied.contains("group gpio"))
        guard case .unsupported = LinuxGPIOErrno.openError(25, chip: "/dev/null") else {
            Issue.record("ENOTTY: not a chip"); return
        }
    }

    @Test func busyDuringATransferIsABusyBusNotAKernelDriver() {
        guard case let .busy(message) = LinuxI2CErrno.transferError(16, operation: "write(2 bytes) at 0x40", address: 0x40) else {
            Issue.record("EBUSY from I2C_RDWR is busy"); return
        }
        #expect(message.contains("write(2 bytes) at 0x40") && !message.contains("unbind"), "\(message)")
        #expect(LinuxI2CErrno.transferError(121, operation: "read", address: 0x40) == .noAcknowledge(.unknown, address: 0x40, operation: "read"))
    }
}
