import CIMHAL
import Testing
@testable import CIMDrivers
@testable import CIMEmulation

/// A 16-bit register file answering as the INA family does.
final class RegisterFile: I2CDeviceModel {
    var registers: [UInt8: UInt16] = [:]
    var pointer: UInt8 = 0
    func receive(_ bytes: [UInt8]) throws(HALError) {
        guard let first = bytes.first else { return }
        pointer = first
        if bytes.count == 3 { registers[pointer] = UInt16(bytes[1]) << 8 | UInt16(bytes[2]) }
    }
    func transmit(count: Int) throws(HALError) -> [UInt8] {
        let v = registers[pointer] ?? 0
        return [UInt8(v >> 8), UInt8(v & 0xFF)].prefix(count).map { $0 }
    }
}

@Suite struct RegisterAccessTests {
    @Test func registersTravelMostSignificantByteFirst() throws {
        var bus = EmulatedI2CBus()
        let chip = RegisterFile()
        let address = try I2CAddress(0x40)
        bus.attach(chip, at: address)
        try bus.writeRegister16(0x05, 0x0A00, at: address)
        #expect(chip.registers[0x05] == 0x0A00)
        chip.registers[0xFE] = 0x5449
        #expect(try bus.readRegister16(0xFE, at: address) == 0x5449, "not the SMBus-word 0x4954")
    }

    /// With no PEC on the INA family, a register is read until three reads
    /// in a row agree: a flipped bit never reaches the caller.
    @Test func agreeingReadsKeepFlippedBitsOut() throws {
        var bus = EmulatedI2CBus(seed: 3)
        let chip = RegisterFile()
        chip.registers[0x02] = 0x1234
        let address = try I2CAddress(0x40)
        bus.attach(chip, at: address)
        bus.faults = [.corruptReadRate(0.02)]
        for _ in 0..<1000 { #expect(try bus.readRegister16Agreeing(0x02, at: address) == 0x1234) }
        #expect(bus.injected.corruptedReads[0x40, default: 0] > 30)
        #expect(bus.transactionCount >= 3000, "three reads at least per value")
    }

    /// A value that never settles is an EBADMSG error naming the register, not a guess.
    @Test func aRegisterThatNeverReadsTheSameTwiceIsAnError() throws {
        var bus = EmulatedI2CBus(seed: 3)
        let chip = RegisterFile()
        let address = try I2CAddress(0x40)
        bus.attach(chip, at: address)
        bus.faults = [.corruptReadRate(1)]
        let error = #expect(throws: HALError.self) { try bus.readRegister16Agreeing(0x02, at: address, reads: 3) }
        guard case let .io(errno, operation)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(errno == SMBusPEC.mismatchErrno && operation.contains("register 0x2"))
    }
}
