import CIMHAL
import Testing
@testable import CIMLinux

/// errno from i2c-dev becomes a HAL error once, in one place.
@Suite struct LinuxErrnoTests {
    @Test func nackErrnosBecomeNACKsWithTheirSource() {
        #expect(LinuxI2CErrno.error(6, operation: "read", address: 0x40) == .noAcknowledge(.address, address: 0x40))
        #expect(LinuxI2CErrno.error(121, operation: "read", address: 0x40) == .noAcknowledge(.unknown, address: 0x40),
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
        #expect(message.contains("unbind") && message.contains("0x40"), "says which driver to unbind: \(message)")
    }

    @Test func anythingElseKeepsItsErrno() {
        #expect(LinuxI2CErrno.error(5, operation: "read", address: 0x40) == .io(errno: 5, operation: "read"))
    }
}
