import CIMHAL
import Testing
@testable import CIMDrivers
@testable import CIMEmulation

/// INA260 checks that need only a bus (SBOS656 §8.6).
enum INA260Checks {
    static func identity<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        #expect(try bus.readRegister16(0xFE, at: address) == 0x5449)
        #expect(try bus.readRegister16(0xFF, at: address) >> 4 == 0x227)
    }

    static func resetRestoresPowerOnValues<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        try bus.writeRegister16(0x00, 0x0FFF, at: address)
        try bus.writeRegister16(0x07, 0x1234, at: address)
        try bus.writeRegister16(0x00, 0x8000, at: address)
        #expect(try bus.readRegister16(0x00, at: address) == 0x6127)
        #expect(try bus.readRegister16(0x07, at: address) == 0)
    }

    /// Same field table as the INA226; reserved bits 14:12 read 110b.
    static func configurationFields<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        for averaging in INAAveraging.allCases {
            for time in INAConversionTime.allCases {
                let config = INA260Configuration(railName: "t", averaging: averaging, busConversionTime: time,
                                                 currentConversionTime: INAConversionTime(rawValue: 7 - time.rawValue) ?? .us140,
                                                 mode: INAOperatingMode(rawValue: time.rawValue) ?? .powerDown)
                try bus.writeRegister16(0x00, config.configurationWord, at: address)
                let back = try bus.readRegister16(0x00, at: address)
                #expect(back == config.configurationWord)
                #expect(back & 0x7000 == 0x6000)
            }
        }
        try bus.writeRegister16(0x00, 0x8000, at: address)
    }

    static func readOnlyRegistersIgnoreWrites<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        for pointer: UInt8 in [0xFE, 0xFF] {
            let before = try bus.readRegister16(pointer, at: address)
            try bus.writeRegister16(pointer, 0xA5A5, at: address)
            #expect(try bus.readRegister16(pointer, at: address) == before)
        }
    }

    /// CVRF after AVG × (ISHCT + VBUSCT): AVG 4, 204 + 332 µs = 2.144 ms.
    static func conversionReadyTiming<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress, delay: (Double) -> Void) throws {
        let config = INA260Configuration(railName: "t", averaging: .samples4, busConversionTime: .us332, currentConversionTime: .us204)
        #expect(abs(config.conversionPeriodSeconds - 2.144e-3) < 1e-12)
        try bus.writeRegister16(0x00, config.configurationWord, at: address)
        delay(2.1e-3)
        #expect(try bus.readRegister16(0x06, at: address) & 0x0008 == 0)
        delay(0.1e-3)
        #expect(try bus.readRegister16(0x06, at: address) & 0x0008 != 0)
        try bus.writeRegister16(0x00, 0x8000, at: address)
    }

    static func all<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress, delay: (Double) -> Void) throws {
        try identity(&bus, at: address)
        try resetRestoresPowerOnValues(&bus, at: address)
        try configurationFields(&bus, at: address)
        try readOnlyRegistersIgnoreWrites(&bus, at: address)
        try conversionReadyTiming(&bus, at: address, delay: delay)
    }
}

struct INA260Bench {
    let clock = VirtualClock()
    let bus = EmulatedI2CBus()
    let model: INA260Model
    var driver: INA260<EmulatedI2CBus>
    static let address = try! I2CAddress(0x44)

    init(dieRevision: UInt16 = 0, configuration: INA260Configuration = INA260Configuration(railName: "5V"),
         trace: @escaping PowerTrace) {
        model = INA260Model(clock: clock, dieRevision: dieRevision, trace: trace)
        bus.attach(model, at: Self.address)
        let clock = clock
        driver = try! INA260(bus: bus, address: Self.address, configuration: configuration,
                        clock: { clock.nowSeconds }, delay: { clock.advance(seconds: $0) })
    }
}

@Suite struct INA260Tests {
    @Test func datasheetRegisterChecksOnTheEmulatedBus() throws {
        let bench = INA260Bench(trace: { _ in (5, 1) })
        var bus = bench.bus
        try INA260Checks.all(&bus, at: INA260Bench.address, delay: { bench.clock.advance(seconds: $0) })
    }

    @Test func fixedLSBs() throws {
        var bench = INA260Bench(trace: { _ in (5, 2.5) })
        try bench.driver.identify()
        try bench.driver.initialize()
        bench.clock.advance(seconds: 2.2e-3)
        #expect(try bench.driver.read(.current) == 2000, "2.5 A / 1.25 mA")
        #expect(try bench.driver.read(.busVoltage) == 4000, "5 V / 1.25 mV")
        #expect(try bench.driver.read(.power) == 1250, "12.5 W / 10 mW")
        let sample = try bench.driver.sample()
        #expect(abs(sample.currentAmps - 2.5) < 1e-9)
        #expect(abs(sample.busVolts - 5) < 1e-9)
        #expect(abs(sample.powerWatts - 12.5) < 1e-9)
    }

    @Test func negativeCurrentAndSignedPower() throws {
        var bench = INA260Bench(trace: { _ in (5, -1.25) })
        try bench.driver.initialize()
        bench.clock.advance(seconds: 2.2e-3)
        #expect(try bench.driver.read(.current) == 0xFC18)
        let sample = try bench.driver.sample()
        #expect(abs(sample.currentAmps + 1.25) < 1e-9)
        #expect(abs(sample.powerWatts + 6.25) < 1e-9)
    }

    @Test func currentResolutionIsOnePointTwoFiveMilliamps() throws {
        var bench = INA260Bench(trace: { _ in (5, 1.0006) })
        try bench.driver.initialize()
        bench.clock.advance(seconds: 2.2e-3)
        #expect(try bench.driver.readCurrentAmps() == 800 * 1.25e-3)
    }

    @Test func anyDieRevisionIdentifiesButAnotherChipDoesNot() throws {
        var revised = INA260Bench(dieRevision: 3, trace: { _ in (5, 1) })
        #expect(try revised.driver.identify().dieID == 0x2273)
        let clock = VirtualClock()
        let bus = EmulatedI2CBus()
        bus.attach(INA226Model(clock: clock, shuntOhms: 0.002, trace: { _ in (5, 1) }), at: INA260Bench.address)
        var wrong = try INA260(bus: bus, address: INA260Bench.address, configuration: INA260Configuration(railName: "x"),
                           clock: { 0 }, delay: { _ in })
        #expect { try wrong.identify() } throws: { "\($0)".contains("0x2260") }
    }

    @Test func currentAlertsCompareTheCurrentRegister() throws {
        var bench = INA260Bench(trace: { _ in (5, 2.5) })
        try bench.driver.initialize()
        try bench.driver.configureAlert(.overCurrentAmps(2.0))
        #expect(try bench.driver.read(.maskEnable) == 0x8000)
        #expect(try bench.driver.read(.alertLimit) == 1600)
        bench.clock.advance(seconds: 2.2e-3)
        #expect(try bench.driver.readMaskEnable().contains(.alertFunctionFlag))
        try bench.driver.configureAlert(.powerOverWatts(20))
        #expect(try bench.driver.read(.alertLimit) == 2000)
        bench.clock.advance(seconds: 2.2e-3)
        #expect(!(try bench.driver.readMaskEnable().contains(.alertFunctionFlag)), "12.5 W < 20 W")
    }

    @Test func aPowerCycleIsDetectedThroughTheConfiguration() throws {
        var bench = INA260Bench(configuration: INA260Configuration(railName: "5V", averaging: .samples4), trace: { _ in (5, 2.5) })
        try bench.driver.initialize()
        bench.clock.advance(seconds: 8.8e-3)
        _ = try bench.driver.sample()
        bench.model.powerCycle()
        // One conversion at POR settings (1.1 + 1.1 ms) before the next
        // sample: the current is non-zero again, only the configuration shows the reset.
        bench.clock.advance(seconds: 2.2e-3)
        let sample = try bench.driver.sample()
        #expect(bench.driver.state.reinitializations == 1)
        #expect(abs(sample.currentAmps - 2.5) < 1e-9)
        #expect(try bench.driver.read(.configuration) == bench.driver.configuration.configurationWord)
    }

    @Test func theAlertIsRestoredAfterAPowerCycle() throws {
        var bench = INA260Bench(configuration: INA260Configuration(railName: "5V", averaging: .samples4), trace: { _ in (5, 2.5) })
        try bench.driver.initialize()
        try bench.driver.configureAlert(.overCurrentAmps(2.0), latch: true)
        bench.model.powerCycle()
        bench.clock.advance(seconds: 2.2e-3)
        _ = try bench.driver.sample()
        #expect(bench.driver.state.reinitializations == 1)
        #expect(try bench.driver.read(.maskEnable) & 0xFC03 == 0x8001)
        #expect(try bench.driver.read(.alertLimit) == 1600, "2 A / 1.25 mA")
    }

    @Test func withPowerOnSettingsTheAlertLimitRevealsAReset() throws {
        var bench = INA260Bench(trace: { _ in (5, 2.5) })
        #expect(bench.driver.configuration.configurationWord == INA260Register.configurationPOR)
        try bench.driver.initialize()
        try bench.driver.configureAlert(.busUnderVolts(4.5))
        bench.clock.advance(seconds: 2.2e-3)
        _ = try bench.driver.sample()
        #expect(bench.driver.state.reinitializations == 0)
        bench.model.powerCycle()
        bench.clock.advance(seconds: 2.2e-3)
        _ = try bench.driver.sample()
        #expect(bench.driver.state.reinitializations == 1)
        #expect(try bench.driver.read(.maskEnable) & 0xFC03 == 0x1000)
        #expect(try bench.driver.read(.alertLimit) == 3600, "4.5 V / 1.25 mV")
    }
}
