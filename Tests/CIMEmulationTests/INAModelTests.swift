import CIMHAL
import Testing
@testable import CIMEmulation

/// Raw register access, so these tests exercise the models without the drivers.
private extension EmulatedI2CBus {
    func get(_ pointer: UInt8, _ address: I2CAddress) throws -> UInt16 {
        var bus = self
        let bytes = try bus.writeRead([pointer], readCount: 2, at: address)
        return UInt16(bytes[0]) << 8 | UInt16(bytes[1])
    }
    func put(_ pointer: UInt8, _ value: UInt16, _ address: I2CAddress) throws {
        var bus = self
        try bus.write([pointer, UInt8(value >> 8), UInt8(value & 0xFF)], to: address)
    }
    /// A read with no pointer write: whatever register the pointer last named.
    func readAgain(_ address: I2CAddress) throws -> [UInt8] {
        var bus = self
        return try bus.read(count: 2, from: address)
    }
    func point(_ pointer: UInt8, _ address: I2CAddress) throws {
        var bus = self
        try bus.write([pointer], to: address)
    }
}

@Suite struct INAModelTests {
    let address = try! I2CAddress(0x40)

    func ina226(_ trace: @escaping PowerTrace) -> (EmulatedI2CBus, INA226Model, VirtualClock) {
        let clock = VirtualClock()
        let bus = EmulatedI2CBus()
        let model = INA226Model(clock: clock, shuntOhms: 0.002, trace: trace)
        bus.attach(model, at: address)
        return (bus, model, clock)
    }

    @Test func thePointerIsKeptBetweenTransactions() throws {
        let (bus, _, _) = ina226 { _ in (12, 1) }
        _ = try bus.get(0xFF, address)
        #expect(try bus.readAgain(address) == [0x22, 0x60])
        try bus.point(0xFE, address)
        #expect(try bus.readAgain(address) == [0x54, 0x49])
        #expect(try bus.readAgain(address) == [0x54, 0x49])
    }

    @Test func readOnlyRegistersIgnoreWritesAndFlagsBelongToTheChip() throws {
        let (bus, _, clock) = ina226 { _ in (12, 1) }
        clock.advance(seconds: 2.2e-3)
        let shunt = try bus.get(0x01, address)
        try bus.put(0x01, 0, address)
        try bus.put(0x04, 0x1234, address)
        #expect(try bus.get(0x01, address) == shunt)
        #expect(try bus.get(0x04, address) == 0)
        _ = try bus.get(0x06, address)  // clears the CVRF of the finished conversion
        try bus.put(0x06, 0xFFFF, address)
        #expect(try bus.get(0x06, address) == 0xFC03, "flag bits 4:2 are not writable")
    }

    @Test func rstAndPowerCycleRestorePowerOnValues() throws {
        let (bus, model, _) = ina226 { _ in (12, 1) }
        try bus.put(0x00, 0x0527, address)
        try bus.put(0x05, 0x0A00, address)
        model.powerCycle()
        #expect(try bus.get(0x05, address) == 0, "CAL is lost")
        #expect(try bus.get(0x00, address) == 0x4127)
        try bus.put(0x05, 0x0A00, address)
        try bus.put(0x00, 0x8000, address)
        #expect(try bus.get(0x05, address) == 0)
        #expect(model.resets == 2)
    }

    @Test func adcsClipAtFullScaleAndOverflowSetsOVF() throws {
        let (bus, _, clock) = ina226 { _ in (45, 50) }  // 100 mV shunt, 45 V bus
        try bus.put(0x05, 0x7FFF, address)
        clock.advance(seconds: 2.2e-3)
        #expect(try bus.get(0x01, address) == 0x7FFF, "81.92 mV full scale")
        #expect(try bus.get(0x02, address) == 0x7FFF, "40.96 V full scale")
        #expect(try bus.get(0x04, address) == 0x7FFF, "32767 × 32767 / 2048 overflows")
        #expect(try bus.get(0x06, address) & 0x0004 != 0, "OVF")
    }

    @Test func negativeBusVoltageReadsZero() throws {
        let (bus, _, clock) = ina226 { _ in (-1, 0) }
        clock.advance(seconds: 2.2e-3)
        #expect(try bus.get(0x02, address) == 0)
    }

    @Test func triggeredModeConvertsOnce() throws {
        let (bus, model, clock) = ina226 { _ in (12, 1) }
        try bus.put(0x00, 0x4123, address)  // shunt + bus triggered
        clock.advance(seconds: 0.1)
        _ = try bus.get(0x01, address)
        #expect(model.conversionsCompleted == 1)
        try bus.put(0x00, 0x4123, address)  // a configuration write triggers again
        clock.advance(seconds: 0.1)
        _ = try bus.get(0x01, address)
        #expect(model.conversionsCompleted == 2)
    }

    @Test func longRunsSkipUnreadConversionsButCountThem() throws {
        let (bus, model, clock) = ina226 { t in (12, t < 9.99 ? 1 : 2) }
        clock.advance(seconds: 10)
        #expect(try bus.get(0x01, address) == 1600, "the latest window: 2 A × 2 mΩ / 2.5 µV")
        #expect(model.conversionsCompleted == 4545, "10 s / 2.2 ms")
    }

    @Test func ina219HasNoIDRegistersAndAVoidCALBit() throws {
        let clock = VirtualClock()
        let bus = EmulatedI2CBus()
        bus.attach(INA219Model(clock: clock, shuntOhms: 0.1, trace: { _ in (5, 0.1) }), at: address)
        #expect(try bus.get(0x00, address) == 0x399F)
        #expect(try bus.get(0xFE, address) == 0)
        try bus.put(0x05, 0x1001, address)
        #expect(try bus.get(0x05, address) == 0x1000)
    }

    @Test func ina3221SumsTheSelectedChannels() throws {
        let clock = VirtualClock()
        let bus = EmulatedI2CBus()
        bus.attach(INA3221Model(clock: clock, shuntOhms: [0.1, 0.1, 0.1],
                                trace: { channel, _ in (5, [0.1, 0.2, 0.3][channel - 1]) }), at: address)
        try bus.put(0x0F, 0x6000, address)  // SCC1, SCC2
        clock.advance(seconds: 6.6e-3)
        #expect(try bus.get(0x0D, address) == UInt16(250 + 500) << 1, "10 mV + 20 mV in 40 µV counts, bits 15:1")
        #expect(try bus.get(0x0F, address) & 0x0001 == 1)
        #expect(try bus.get(0x0F, address) & 0x0001 == 0, "reading Mask/Enable cleared CVRF")
    }
}
