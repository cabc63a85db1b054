#if canImport(Glibc)
import CIMHAL
import CLinuxShim
import Glibc
import Testing
@testable import CIMLinux

/// What can be checked without an I2C adapter: set-up errors name the path
/// and the fix, and bad transactions are refused before any ioctl.
@Suite struct LinuxI2CBusTests {
    @Test func aMissingBusNamesItsPathAndHowToLoadI2CDev() {
        #expect(throws: HALError.self) { _ = try LinuxI2CBus(bus: 250) }
        do {
            _ = try LinuxI2CBus(bus: 250)
        } catch let error {
            guard case let .io(errno, operation) = error else {
                Issue.record("expected .io(ENOENT), got \(error)"); return
            }
            #expect(errno == LinuxI2CErrno.enoent)
            #expect(operation.contains("/dev/i2c-250"), "names the path: \(operation)")
            #expect(operation.contains("modprobe i2c-dev"), "says what to do: \(operation)")
        }
    }

    @Test func aMissingPathIsNamed() {
        let path = "/tmp/cimfw-no-such-i2c-adapter"
        #expect {
            _ = try LinuxI2CBus(path: path)
        } throws: { error in
            (error as? HALError)?.description.contains(path) == true
        }
    }

    @Test func aFileThatIsNotAnAdapterIsUnsupported() {
        // /dev/null opens, but I2C_FUNCS fails with ENOTTY.
        #expect {
            _ = try LinuxI2CBus(path: "/dev/null")
        } throws: { error in
            guard case let .unsupported(message)? = error as? HALError else { return false }
            return message.contains("/dev/null") && message.contains("not an i2c-dev adapter")
        }
    }

    @Test(arguments: [-1, Int.min, Int(Int32.max) + 1])
    func invalidBusNumbersAreRejected(number: Int) {
        #expect {
            _ = try LinuxI2CBus(bus: number)
        } throws: { error in
            guard case .invalidArgument? = error as? HALError else { return false }
            return true
        }
        #expect(throws: HALError.invalidArgument("I2C device path is empty")) { _ = try LinuxI2CBus(path: "") }
    }

    @Test func transactionsTheKernelWouldRefuseAreRejectedFirst() {
        let tooMany = [I2COperation](repeating: .write([0]), count: Int(CIMFW_I2C_RDWR_MAX_MSGS) + 1)
        for operations in [[], [.read(count: 0)], [.write([1]), .read(count: -1)], tooMany,
                           [.write([UInt8](repeating: 0, count: LinuxI2CBus.maximumMessageLength + 1))]] as [[I2COperation]] {
            #expect {
                try LinuxI2CBus.validate(operations)
            } throws: { error in
                guard case .invalidArgument? = error as? HALError else { return false }
                return true
            }
        }
        #expect(throws: Never.self) { try LinuxI2CBus.validate([.write([0x00]), .read(count: 2)]) }
    }

    @Test func errorsNameTheTransactionShape() {
        #expect(LinuxI2CBus.shape([.write([0x05]), .read(count: 2)]) == "write(1 byte), read(2 bytes)")
    }

    @Test func smbusOnlyAdaptersGetTheCallWithTheSameBytesOnTheWire() {
        #expect(SMBusCall.plan([.write([0x06])]) == .sendByte(0x06))
        #expect(SMBusCall.plan([.write([0x01, 0x80])]) == .writeByteData(command: 0x01, value: 0x80))
        #expect(SMBusCall.plan([.write([0x05, 0x12, 0x34])]) == .writeI2CBlock(command: 0x05, payload: [0x12, 0x34]))
        #expect(SMBusCall.plan([.read(count: 1)]) == .receiveByte)
        #expect(SMBusCall.plan([.write([0xFE]), .read(count: 1)]) == .readByteData(command: 0xFE))
        #expect(SMBusCall.plan([.write([0x02]), .read(count: 2)]) == .readI2CBlock(command: 0x02, count: 2))
        #expect(SMBusCall.plan([.write([0x02]), .read(count: 32)]) == .readI2CBlock(command: 0x02, count: 32))
        #expect(SMBusCall.plan([.write([0x02]), .read(count: 2)])?.function == Int(CIMFW_I2C_FUNC_SMBUS_READ_I2C_BLOCK))
    }

    @Test func shapesSMBusCannotCarryHaveNoPlan() {
        let unmappable: [[I2COperation]] = [
            [.write([])],                                   // quick command: not offered
            [.write([UInt8](repeating: 0, count: 34))],     // block over 32 bytes
            [.read(count: 2)],                              // SMBus has no bare multi-byte read
            [.write([0x00, 0x01]), .read(count: 2)],        // two-byte pointer
            [.write([0x00]), .read(count: 33)],             // block over 32 bytes
            [.read(count: 1), .write([0x00])],              // read first
            [.write([0x00]), .read(count: 1), .read(count: 1)],
        ]
        for operations in unmappable {
            #expect(SMBusCall.plan(operations) == nil, "\(LinuxI2CBus.shape(operations))")
        }
    }

    @Test func theShimReturnsNegativeErrno() {
        // No descriptor: the ioctl fails with EBADF, returned as -EBADF.
        #expect(cimfw_i2c_set_address(-1, 0x40, 0) == -EBADF)
        var mask: UInt = 0
        #expect(cimfw_i2c_funcs(-1, &mask) == -EBADF)
        // Argument checks happen before the ioctl.
        #expect(cimfw_i2c_rdwr(-1, 0x40, 0, nil, nil, nil) == -EINVAL)
        #expect(cimfw_i2c_rdwr(-1, 0x40, UInt32(CIMFW_I2C_RDWR_MAX_MSGS) + 1, [0], [0], nil) == -EINVAL)
        var byte: UInt8 = 0
        #expect(cimfw_i2c_smbus_read_i2c_block(-1, 0, 33, &byte) == -EINVAL)
    }

    // Gated on the adapter's own variable, not CIMFW_HIL_BOARD: a HIL run on an
    // emulated board has no /dev/i2c-N to open.
    @Test(.enabled(if: getenv("CIMFW_HIL_I2C_BUS") != nil,
                   "needs a real adapter: set CIMFW_HIL_I2C_BUS to its number N (/dev/i2c-N)"))
    func aRealAdapterOpensAndReportsItsFunctions() throws {
        let variable = getenv("CIMFW_HIL_I2C_BUS").map { String(cString: $0) } ?? ""
        let bus = try #require(Int(variable), "CIMFW_HIL_I2C_BUS=\(variable) is not an adapter number")
        let adapter = try LinuxI2CBus(bus: bus)
        #expect(adapter.functionality != 0, "I2C_FUNCS reports something on \(adapter.path)")
    }
}
#endif
