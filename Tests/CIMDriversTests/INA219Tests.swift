import CIMHAL
import Testing
@testable import CIMDrivers
@testable import CIMEmulation

/// INA219 checks that need only a bus (SBOS448 §8.6).
enum INA219Checks {
    static func resetRestoresPowerOnValues<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        try bus.writeRegister16(0x00, 0x0000, at: address)
        try bus.writeRegister16(0x05, 0x1000, at: address)
        try bus.writeRegister16(0x00, 0x8000, at: address)
        #expect(try bus.readRegister16(0x00, at: address) == 0x399F)
        #expect(try bus.readRegister16(0x05, at: address) == 0)
    }

    /// BRNG, PG, BADC, SADC and MODE land where Figure 19 puts them.
    static func configurationFields<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        for gain in INA219Gain.allCases {
            for adc in INA219ADC.allCases {
                let config = INA219Configuration(railName: "t", shuntMicroOhms: 100_000, maxExpectedCurrentAmps: 0.1,
                                                 busRange: gain.rawValue % 2 == 0 ? .volts16 : .volts32, gain: gain,
                                                 busADC: adc, shuntADC: INA219ADC.allCases.reversed()[INA219ADC.allCases.firstIndex(of: adc) ?? 0],
                                                 mode: .shuntAndBusTriggered)
                try bus.writeRegister16(0x00, config.configurationWord, at: address)
                let back = try bus.readRegister16(0x00, at: address)
                #expect(back == config.configurationWord)
                #expect(INA219ConfigurationField.gain.get(back) == gain.rawValue)
                #expect(INA219ConfigurationField.busADC.get(back) == adc.rawValue)
                #expect(INA219ConfigurationField.busRange.get(back) == config.busRange.rawValue)
                #expect(INA219ConfigurationField.mode.get(back) == 3)
            }
        }
        try bus.writeRegister16(0x00, 0x8000, at: address)
    }

    /// FS0 is void: CAL reads back even (SBOS448 §8.6.3.6).
    static func calibrationBitZeroIsVoid<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        try bus.writeRegister16(0x05, 0xFFFF, at: address)
        #expect(try bus.readRegister16(0x05, at: address) == 0xFFFE)
        try bus.writeRegister16(0x05, 0x7FFF, at: address)
        #expect(try bus.readRegister16(0x05, at: address) == 0x7FFE)
        try bus.writeRegister16(0x05, 0, at: address)
    }

    /// CNVR (bus register bit 1) after SADC + BADC time; reading power clears it.
    static func conversionReadyTiming<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress, delay: (Double) -> Void) throws {
        let config = INA219Configuration(railName: "t", shuntMicroOhms: 100_000, maxExpectedCurrentAmps: 0.1,
                                         busADC: .bits9, shuntADC: .samples4)
        #expect(abs(config.conversionPeriodSeconds - 2.214e-3) < 1e-12, "2.13 ms + 84 µs")
        _ = try bus.readRegister16(0x03, at: address)
        try bus.writeRegister16(0x00, config.configurationWord, at: address)
        delay(2.1e-3)
        #expect(try bus.readRegister16(0x02, at: address) & 0x0002 == 0)
        delay(0.2e-3)
        #expect(try bus.readRegister16(0x02, at: address) & 0x0002 != 0)
        _ = try bus.readRegister16(0x03, at: address)
        #expect(try bus.readRegister16(0x02, at: address) & 0x0002 == 0, "a power-register read clears CNVR")
        try bus.writeRegister16(0x00, 0x8000, at: address)
    }

    static func all<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress, delay: (Double) -> Void) throws {
        try resetRestoresPowerOnValues(&bus, at: address)
        try configurationFields(&bus, at: address)
        try calibrationBitZeroIsVoid(&bus, at: address)
        try conversionReadyTiming(&bus, at: address, delay: delay)
    }
}

struct INA219Bench {
    let clock = VirtualClock()
    let bus = EmulatedI2CBus()
    let model: INA219Model
    var driver: INA219<EmulatedI2CBus>
    static let address = try! I2CAddress(0x41)

    /// 0.1 Ω, 0.1 mA LSB: CAL 4096, the Adafruit "32V_2A" setting.
    init(configuration: INA219Configuration = INA219Configuration(railName: "5V", shuntMicroOhms: 100_000,
                                                                  maxExpectedCurrentAmps: 3.2, currentLSBAmps: 1e-4),
         trace: @escaping PowerTrace) throws {
        model = INA219Model(clock: clock, shuntOhms: 0.1, trace: trace)
        bus.attach(model, at: Self.address)
        let clock = clock
        driver = try INA219(bus: bus, address: Self.address, configuration: configuration,
                            clock: { clock.nowSeconds }, delay: { clock.advance(seconds: $0) })
    }
}

@Suite struct INA219Tests {
    @Test func datasheetRegisterChecksOnTheEmulatedBus() throws {
        let bench = try INA219Bench(trace: { _ in (5, 0.1) })
        var bus = bench.bus
        try INA219Checks.all(&bus, at: INA219Bench.address, delay: { bench.clock.advance(seconds: $0) })
    }

    @Test func registersAndValuesFollowTheDatasheetEquations() throws {
        var bench = try INA219Bench(trace: { _ in (12, 1) })
        #expect(bench.driver.calibration.register == 4096)
        try bench.driver.initialize()
        bench.clock.advance(seconds: 1.064e-3)
        #expect(try bench.driver.read(.shuntVoltage) == 10000, "100 mV / 10 µV")
        #expect(try bench.driver.read(.busVoltage) == 3000 << 3 | 0b10, "12 V / 4 mV in 15:3, CNVR set")
        #expect(try bench.driver.read(.current) == 10000, "Shunt × CAL / 4096")
        #expect(try bench.driver.read(.power) == 6000, "Current × Bus / 5000")
        let sample = try bench.driver.sample()
        #expect(abs(sample.busVolts - 12) < 1e-9)
        #expect(abs(sample.currentAmps - 1) < 1e-9)
        #expect(abs(sample.powerWatts - 12) < 1e-9, "6000 × 20 × 0.1 mA")
        #expect(abs(try bench.driver.readShuntVolts() - 0.1) < 1e-12)
    }

    @Test func negativeCurrentAndSignedPower() throws {
        var bench = try INA219Bench(trace: { _ in (12, -0.5) })
        try bench.driver.initialize()
        bench.clock.advance(seconds: 1.064e-3)
        #expect(try bench.driver.read(.shuntVoltage) == 0xEC78)
        #expect(try bench.driver.read(.current) == 0xEC78)
        let sample = try bench.driver.sample()
        #expect(abs(sample.currentAmps + 0.5) < 1e-9)
        #expect(abs(sample.powerWatts + 6) < 1e-9)
    }

    @Test func gainAndBusRangeClipTheADCs() throws {
        var bench = try INA219Bench(trace: { _ in (20, 1) })
        try bench.driver.write(.configuration, 0x019F)  // BRNG 16 V, PG /1 (±40 mV)
        bench.clock.advance(seconds: 1.064e-3)
        #expect(try bench.driver.read(.shuntVoltage) == 4000, "100 mV clipped at 40 mV")
        #expect(try bench.driver.readBus().busVolts == 16, "20 V clipped at the 16 V range")
    }

    @Test func anOverflowIsAnErrorNotANumber() throws {
        var bench = try INA219Bench(trace: { _ in (12, 3.0) })
        try bench.driver.initialize()
        try bench.driver.write(.calibration, 0xFFFE)
        bench.clock.advance(seconds: 1.064e-3)
        #expect(try bench.driver.readBus().mathOverflow)
        #expect(throws: HALError.io(errno: 34, operation: "INA219 at 0x41 current/power arithmetic overflow (OVF): the load exceeds maxExpectedCurrentAmps or the gain range")) {
            try bench.driver.sample()
        }
    }

    @Test func calibrationLimitsAreRejectedAndBitZeroIsRespected() {
        #expect {
            _ = try INACalibration.ina219(shuntMicroOhms: 100, maxExpectedCurrentAmps: 1)
        } throws: { error in
            guard case let HALError.invalidArgument(message) = error else { return false }
            return message.contains("0xFFFE") && message.contains("shuntMicroOhms")
        }
        // 0.04096 / (LSB × 0.1 Ω) = 4097 would be odd: 4096 is written and the
        // LSB follows the CAL really in the chip.
        let odd = try? INACalibration.ina219(shuntMicroOhms: 100_000, maxExpectedCurrentAmps: 3, currentLSBAmps: 0.04096 / (4097 * 0.1))
        #expect(odd?.register == 4096)
        #expect(abs((odd?.currentLSBAmps ?? 0) - 1e-4) < 1e-15)
        #expect(abs((odd?.powerLSBWatts ?? 0) - 2e-3) < 1e-15, "Power_LSB = 20 × Current_LSB")
        // 320 mV at maxExpectedCurrentAmps does not fit PG /1.
        #expect(throws: HALError.self) {
            _ = try INA219(bus: EmulatedI2CBus(), address: INA219Bench.address,
                           configuration: INA219Configuration(railName: "x", shuntMicroOhms: 100_000, maxExpectedCurrentAmps: 3.2, gain: .divideBy1),
                           clock: { 0 }, delay: { _ in })
        }
    }

    @Test func aPowerCycleIsDetectedThroughCAL() throws {
        var bench = try INA219Bench(trace: { _ in (12, 1) })
        try bench.driver.initialize()
        bench.clock.advance(seconds: 1.064e-3)
        _ = try bench.driver.sample()
        bench.model.powerCycle()
        let sample = try bench.driver.sample()
        #expect(bench.driver.state.reinitializations == 1)
        #expect(abs(sample.currentAmps - 1) < 1e-9)
    }

    @Test func aConfigurationThatNoLongerReadsBackIsRewritten() throws {
        var bench = try INA219Bench(trace: { _ in (12, 1) })
        try bench.driver.initialize()
        // BRNG flipped to 16 V behind the driver's back; CAL survives, so only
        // the configuration shows it.
        var bus = bench.bus
        try bus.writeRegister16(0x00, bench.driver.configuration.configurationWord & ~0x2000, at: INA219Bench.address)
        bench.clock.advance(seconds: 1.064e-3)
        #expect(abs(try bench.driver.sample().currentAmps - 1) < 1e-9)
        #expect(bench.driver.state.reinitializations == 1)
        #expect(try bench.driver.read(.configuration) == bench.driver.configuration.configurationWord)
    }

    @Test func aNACKIsTypedAndRecovered() throws {
        var bench = try INA219Bench(trace: { _ in (12, 1) })
        try bench.driver.initialize()
        bench.clock.advance(seconds: 1.064e-3)
        bench.bus.faults = [.nackOnTransaction(bench.bus.transactionCount + 1)]
        #expect(throws: HALError.noAcknowledge(.address, address: 0x41)) { try bench.driver.sample() }
        #expect(abs(try bench.driver.sample().currentAmps - 1) < 1e-9)
    }
}
