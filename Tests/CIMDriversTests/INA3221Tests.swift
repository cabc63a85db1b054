import CIMHAL
import Testing
@testable import CIMDrivers
@testable import CIMEmulation

/// INA3221 checks that need only a bus (SBOS576 §8.6).
enum INA3221Checks {
    static func identity<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        #expect(try bus.readRegister16(0xFE, at: address) == 0x5449)
        // DID 0x322 in bits 15:4; bits 3:0 are the die revision, which varies.
        #expect(try bus.readRegister16(0xFF, at: address) >> 4 == 0x322)
    }

    static func resetRestoresPowerOnValues<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        try bus.writeRegister16(0x00, 0x0000, at: address)
        try bus.writeRegister16(0x07, 0x1000, at: address)
        try bus.writeRegister16(0x10, 0x1000, at: address)
        try bus.writeRegister16(0x00, 0x8000, at: address)
        #expect(try bus.readRegister16(0x00, at: address) == 0x7127)
        for pointer: UInt8 in 0x07...0x0C { #expect(try bus.readRegister16(pointer, at: address) == 0x7FF8) }
        #expect(try bus.readRegister16(0x0E, at: address) == 0x7FFE)
        #expect(try bus.readRegister16(0x10, at: address) == 0x2710, "10.000 V at 8 mV")
        #expect(try bus.readRegister16(0x11, at: address) == 0x2328, "9.000 V")
    }

    /// CHxen bits 14:12 and the shared AVG/CT/MODE fields; limits keep bits 2:0 clear.
    static func configurationAndLimitFields<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        let config = INA3221Configuration(channels: [.ch2: INA3221ChannelSettings(railName: "b", shuntMicroOhms: 100_000)],
                                          averaging: .samples64, busConversionTime: .us8244, shuntConversionTime: .us140,
                                          mode: .busContinuous)
        #expect(config.configurationWord == 0x2000 | 3 << 9 | 7 << 6 | 0 << 3 | 6)
        try bus.writeRegister16(0x00, config.configurationWord, at: address)
        #expect(try bus.readRegister16(0x00, at: address) == config.configurationWord)
        try bus.writeRegister16(0x09, 0x1237, at: address)
        #expect(try bus.readRegister16(0x09, at: address) == 0x1230)
        try bus.writeRegister16(0x00, 0x8000, at: address)
    }

    /// CVRF (bit 0) after channels × AVG × (CT bus + CT shunt).
    static func conversionReadyTiming<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress, delay: (Double) -> Void) throws {
        let channel = INA3221ChannelSettings(railName: "x", shuntMicroOhms: 100_000)
        let config = INA3221Configuration(channels: [.ch1: channel, .ch2: channel, .ch3: channel], averaging: .samples4,
                                          busConversionTime: .us140, shuntConversionTime: .us140)
        #expect(abs(config.conversionPeriodSeconds - 3.36e-3) < 1e-12)
        _ = try bus.readRegister16(0x0F, at: address)
        try bus.writeRegister16(0x00, config.configurationWord, at: address)
        delay(3.3e-3)
        #expect(try bus.readRegister16(0x0F, at: address) & 1 == 0)
        delay(0.1e-3)
        #expect(try bus.readRegister16(0x0F, at: address) & 1 == 1)
        try bus.writeRegister16(0x00, 0x8000, at: address)
    }

    static func all<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress, delay: (Double) -> Void) throws {
        try identity(&bus, at: address)
        try resetRestoresPowerOnValues(&bus, at: address)
        try configurationAndLimitFields(&bus, at: address)
        try conversionReadyTiming(&bus, at: address, delay: delay)
    }
}

struct INA3221Bench {
    let clock = VirtualClock()
    let bus = EmulatedI2CBus()
    let model: INA3221Model
    let driver: INA3221<EmulatedI2CBus>
    static let address = try! I2CAddress(0x42)

    /// 0.1 Ω on every channel; channel 3 disabled unless asked for.
    init(channels: [INA3221ChannelID] = [.ch1, .ch2], dieRevision: UInt16 = 0,
         trace: @escaping (Int, Double) -> (busVolts: Double, currentAmps: Double)) throws {
        model = INA3221Model(clock: clock, shuntOhms: [0.1, 0.1, 0.1], dieRevision: dieRevision, trace: trace)
        bus.attach(model, at: Self.address)
        var settings: [INA3221ChannelID: INA3221ChannelSettings] = [:]
        for channel in channels { settings[channel] = INA3221ChannelSettings(railName: "rail\(channel.rawValue)", shuntMicroOhms: 100_000) }
        let clock = clock
        driver = try INA3221(bus: bus, address: Self.address, configuration: INA3221Configuration(channels: settings),
                             clock: { clock.nowSeconds }, delay: { clock.advance(seconds: $0) })
    }

    static func rails(_ channel: Int, _ t: Double) -> (busVolts: Double, currentAmps: Double) {
        [(5.0, 0.5), (3.32, -0.2), (12.0, 1.0)][channel - 1]
    }
}

@Suite struct INA3221Tests {
    @Test func datasheetRegisterChecksOnTheEmulatedBus() throws {
        let bench = try INA3221Bench(trace: INA3221Bench.rails)
        var bus = bench.bus
        try INA3221Checks.all(&bus, at: INA3221Bench.address, delay: { bench.clock.advance(seconds: $0) })
    }

    @Test func channelsAreLeftJustifiedSignedAndCurrentIsShuntOverR() throws {
        let bench = try INA3221Bench(trace: INA3221Bench.rails)
        try bench.driver.identify()
        try bench.driver.initialize()
        #expect(try bench.driver.read(0x00) == 0x6127, "CH1 and CH2 enabled, CH3 off")
        bench.clock.advance(seconds: 4.4e-3)
        #expect(try bench.driver.read(0x01) == 0x2710, "50 mV = 1250 × 40 µV, in 15:3")
        #expect(try bench.driver.read(0x02) == 0x1388, "5 V = 625 × 8 mV, in 15:3")
        #expect(try bench.driver.read(0x03) == 0xF060, "-20 mV = -500 counts")
        #expect(try bench.driver.read(0x05) == 0, "a disabled channel is not converted")
        var rail1 = try bench.driver.channel(.ch1)
        #expect(rail1.railName == "rail1")
        let one = try rail1.sample()
        #expect(abs(one.currentAmps - 0.5) < 1e-9)
        #expect(abs(one.powerWatts - 2.5) < 1e-9)
        let two = try bench.driver.sample(.ch2)
        #expect(abs(two.busVolts - 3.32) < 1e-9, "415 × 8 mV")
        #expect(abs(two.currentAmps + 0.2) < 1e-9)
        #expect(two.powerWatts < 0)
        #expect(throws: HALError.self) { try bench.driver.channel(.ch3) }
    }

    @Test func theShuntADCClipsAtFullScale() throws {
        let bench = try INA3221Bench(trace: { _, _ in (5, 2.0) })  // 200 mV across 0.1 Ω
        try bench.driver.initialize()
        bench.clock.advance(seconds: 4.4e-3)
        #expect(try bench.driver.read(0x01) == 0x7FF8)
        #expect(abs(try bench.driver.readShuntVolts(.ch1) - 0.1638) < 1e-12)
    }

    @Test func criticalAndWarningLimitsRaiseTheirFlags() throws {
        let bench = try INA3221Bench(trace: INA3221Bench.rails)
        try bench.driver.initialize()
        try bench.driver.setCriticalLimit(.ch1, amps: 0.4)
        #expect(try bench.driver.read(0x07) == 1000 << 3, "0.4 A × 0.1 Ω = 40 mV = 1000 counts")
        try bench.driver.setWarningLimit(.ch2, amps: -0.3)
        #expect(try bench.driver.read(0x0A) == UInt16(bitPattern: -750 << 3))
        bench.clock.advance(seconds: 4.4e-3)
        let flags = try bench.driver.readMaskEnable()
        #expect(flags.contains(.criticalFlag(.ch1)))
        #expect(!flags.contains(.criticalFlag(.ch2)))
        #expect(flags.contains(.warningFlag(.ch2)), "-0.2 A > -0.3 A")
        #expect(flags.contains(.conversionReadyFlag))
        #expect(throws: HALError.self) { try bench.driver.setCriticalLimit(.ch1, amps: 5) }
        #expect(throws: HALError.self) { try bench.driver.setCriticalLimit(.ch3, amps: 0.1) }
    }

    @Test func aPowerCycleIsDetectedThroughTheConfiguration() throws {
        let bench = try INA3221Bench(trace: INA3221Bench.rails)
        try bench.driver.initialize()
        bench.clock.advance(seconds: 4.4e-3)
        _ = try bench.driver.sample(.ch1)
        bench.model.powerCycle()
        // The chip converts at POR settings (3 channels × 2.2 ms) before the
        // next sample, so shunt and bus are non-zero again: only the
        // configuration shows the reset.
        bench.clock.advance(seconds: 6.6e-3)
        let sample = try bench.driver.sample(.ch1)
        #expect(bench.driver.state.reinitializations == 1)
        #expect(abs(sample.currentAmps - 0.5) < 1e-9)
        #expect(try bench.driver.read(INA3221Register.configuration) == bench.driver.configuration.configurationWord)
    }

    @Test func limitsAreRestoredAfterAPowerCycle() throws {
        // All three channels with default settings: the configuration equals
        // POR, so only the limit written below can reveal the reset.
        let bench = try INA3221Bench(channels: [.ch1, .ch2, .ch3], trace: INA3221Bench.rails)
        #expect(bench.driver.configuration.configurationWord == INA3221Register.configurationPOR)
        try bench.driver.initialize()
        try bench.driver.setCriticalLimit(.ch1, amps: 0.4)
        try bench.driver.setWarningLimit(.ch3, amps: 1.5)
        bench.clock.advance(seconds: 6.6e-3)
        _ = try bench.driver.sample(.ch1)
        #expect(bench.driver.state.reinitializations == 0)
        bench.model.powerCycle()
        bench.clock.advance(seconds: 6.6e-3)
        _ = try bench.driver.sample(.ch1)
        #expect(bench.driver.state.reinitializations == 1)
        #expect(try bench.driver.read(INA3221Register.criticalLimit(.ch1)) == 0x1F40, "40 mV = 1000 counts << 3")
        #expect(try bench.driver.read(INA3221Register.warningLimit(.ch3)) == 0x7530, "150 mV = 3750 counts << 3")
        #expect(try bench.driver.read(INA3221Register.criticalLimit(.ch2)) == INA3221Register.limitPOR, "never set")
    }

    @Test func anyDieRevisionIdentifies() throws {
        let revised = try INA3221Bench(dieRevision: 1, trace: INA3221Bench.rails)
        #expect(try revised.driver.identify().dieID == 0x3221)
    }

    @Test func aNACKIsTypedAndRecovered() throws {
        let bench = try INA3221Bench(trace: INA3221Bench.rails)
        try bench.driver.initialize()
        bench.clock.advance(seconds: 4.4e-3)
        bench.bus.faults = [.nackOnTransaction(bench.bus.transactionCount + 1)]
        #expect(throws: HALError.noAcknowledge(.address, address: 0x42)) { try bench.driver.sample(.ch2) }
        #expect(abs(try bench.driver.sample(.ch2).currentAmps + 0.2) < 1e-9)
    }
}
