import CIMHAL
import Testing
@testable import CIMDrivers
@testable import CIMEmulation

/// An INA226 model on an emulated bus with its driver, all on one virtual clock.
struct INA226Bench {
    let clock = VirtualClock()
    let bus = EmulatedI2CBus()
    let model: INA226Model
    var driver: INA226<EmulatedI2CBus>
    static let address = try! I2CAddress(0x40)

    init(shuntOhms: Double = 0.002, configuration: INA226Configuration, trace: @escaping PowerTrace) throws {
        model = INA226Model(clock: clock, shuntOhms: shuntOhms, trace: trace)
        bus.attach(model, at: Self.address)
        let clock = clock
        driver = try INA226(bus: bus, address: Self.address, configuration: configuration,
                            clock: { clock.nowSeconds }, delay: { clock.advance(seconds: $0) })
    }

    /// The datasheet's worked example (SBOS547 §7.5.1 Table 7-2): 2 mΩ, 10 A
    /// maximum, Current_LSB rounded to 1 mA, load 10 A at 11.98 V.
    static func workedExample(currentAmps: Double = 10) throws -> INA226Bench {
        try INA226Bench(configuration: INA226Configuration(railName: "12V", shuntMicroOhms: 2000,
                                                          maxExpectedCurrentAmps: 10, currentLSBAmps: 0.001),
                        trace: { _ in (11.98, currentAmps) })
    }
}

@Suite struct INA226ConformanceTests {
    @Test func datasheetRegisterChecksOnTheEmulatedBus() throws {
        let bench = try INA226Bench.workedExample()
        var bus = bench.bus
        try INA226Checks.all(&bus, at: INA226Bench.address, delay: { bench.clock.advance(seconds: $0) })
    }
}

@Suite struct INA226DriverTests {
    @Test func theWorkedExampleGivesTheDatasheetsRegistersAndValues() throws {
        var bench = try INA226Bench.workedExample()
        #expect(bench.driver.calibration.register == 0x0A00)
        try bench.driver.identify()
        try bench.driver.initialize()
        #expect(bench.driver.configuration.configurationWord == 0x4127, "Table 7-2 uses the POR configuration")
        bench.clock.advance(seconds: 2.2e-3)
        #expect(try bench.driver.read(.calibration) == 0x0A00)
        #expect(try bench.driver.read(.shuntVoltage) == 0x1F40)
        #expect(try bench.driver.read(.busVoltage) == 0x2570)
        #expect(try bench.driver.read(.current) == 0x2710)
        #expect(try bench.driver.read(.power) == 0x12B8)
        #expect(abs(try bench.driver.readShuntVolts() - 0.020) < 1e-12)
        let sample = try bench.driver.sample()
        #expect(abs(sample.busVolts - 11.98) < 1e-9)
        #expect(abs(sample.currentAmps - 10) < 1e-9)
        #expect(abs(sample.powerWatts - 119.8) < 1e-9, "4792 × 25 mW")
        #expect(sample.timestampSeconds == bench.clock.nowSeconds)
    }

    @Test func negativeCurrentIsTwosComplementAndPowerIsSignedByTheCurrent() throws {
        var bench = try INA226Bench(configuration: INA226Configuration(railName: "12V", shuntMicroOhms: 2000,
                                                                      maxExpectedCurrentAmps: 10, currentLSBAmps: 0.001),
                                    trace: { _ in (12.0, -5.0) })
        try bench.driver.initialize()
        bench.clock.advance(seconds: 2.2e-3)
        #expect(try bench.driver.read(.shuntVoltage) == 0xF060, "-4000 counts = -10 mV")
        #expect(try bench.driver.read(.current) == 0xEC78, "-5000 counts")
        #expect(try bench.driver.read(.power) == 2400, "the chip's power register is a magnitude")
        #expect(abs(try bench.driver.readShuntVolts() + 0.010) < 1e-12)
        let sample = try bench.driver.sample()
        #expect(abs(sample.currentAmps + 5) < 1e-9)
        #expect(abs(sample.powerWatts + 60) < 1e-9, "sign(I) × P")
    }

    @Test func theDefaultCurrentLSBIsImaxOver2To15() throws {
        let calibration = try INACalibration.ina226(shuntMicroOhms: 2000, maxExpectedCurrentAmps: 10)
        // 0.00512 / (10 / 32768 × 0.002) = 8388.608
        #expect(calibration.register == 8388)
        #expect(abs(calibration.currentLSBAmps - 0.00512 / (8388 * 0.002)) < 1e-15)
        #expect(abs(calibration.powerLSBWatts - 25 * calibration.currentLSBAmps) < 1e-15)
    }

    @Test func calibrationAboveFifteenBitsIsRejectedNamingTheInputs() {
        // 100 µΩ, 1 A: CAL would be 1,677,721.
        #expect {
            _ = try INACalibration.ina226(shuntMicroOhms: 100, maxExpectedCurrentAmps: 1)
        } throws: { error in
            guard case let HALError.invalidArgument(message) = error else { return false }
            return message.contains("0x7FFF") && message.contains("shuntMicroOhms") && message.contains("maxExpectedCurrentAmps")
        }
        #expect(throws: HALError.self) { _ = try INACalibration.ina226(shuntMicroOhms: 2000, maxExpectedCurrentAmps: 10, currentLSBAmps: 1e-6) }
        #expect(throws: HALError.self) { _ = try INACalibration.ina226(shuntMicroOhms: 0, maxExpectedCurrentAmps: 10) }
        #expect(throws: HALError.self) { _ = try INACalibration.ina226(shuntMicroOhms: 2000, maxExpectedCurrentAmps: -.infinity) }
        // 20 mΩ × 10 A = 200 mV: past the 81.92 mV shunt full scale.
        #expect(throws: HALError.self) {
            _ = try INA226(bus: EmulatedI2CBus(), address: INA226Bench.address,
                           configuration: INA226Configuration(railName: "x", shuntMicroOhms: 20000, maxExpectedCurrentAmps: 10),
                           clock: { 0 }, delay: { _ in })
        }
    }

    @Test func aByteSwappingBusCannotPassIdentify() throws {
        let bench = try INA226Bench.workedExample()
        var driver = try INA226(bus: SMBusWordOrderBus(inner: bench.bus), address: INA226Bench.address,
                                configuration: bench.driver.configuration, clock: { 0 }, delay: { _ in })
        #expect {
            try driver.identify()
        } throws: { error in
            "\(error)".contains("0x4954")
        }
    }

    @Test func aDifferentChipAtTheAddressIsReported() throws {
        let clock = VirtualClock()
        let bus = EmulatedI2CBus()
        bus.attach(INA219Model(clock: clock, shuntOhms: 0.1, trace: { _ in (5, 0.1) }), at: INA226Bench.address)
        var driver = try INA226(bus: bus, address: INA226Bench.address,
                                configuration: INA226Configuration(railName: "x", shuntMicroOhms: 2000, maxExpectedCurrentAmps: 10),
                                clock: { 0 }, delay: { _ in })
        #expect(throws: HALError.self) { try driver.identify() }
    }

    @Test func aPowerCycleMidStreamIsDetectedAndRepaired() throws {
        var bench = try INA226Bench.workedExample()
        try bench.driver.initialize()
        bench.clock.advance(seconds: 2.2e-3)
        #expect(abs(try bench.driver.sample().currentAmps - 10) < 1e-9)
        bench.model.powerCycle()
        #expect(bench.model.registers[0x05] == 0, "CAL lost")
        let sample = try bench.driver.sample()
        #expect(bench.driver.state.reinitializations == 1)
        #expect(abs(sample.currentAmps - 10) < 1e-9)
        #expect(abs(sample.powerWatts - 119.8) < 1e-9)
        #expect(bench.model.registers[0x05] == 0x0A00)
        bench.clock.advance(seconds: 2.2e-3)
        #expect(abs(try bench.driver.sample().currentAmps - 10) < 1e-9)
        #expect(bench.driver.state.reinitializations == 1, "a healthy chip is not re-initialised")
    }

    @Test func aPowerCycleRestoresTheAlert() throws {
        var bench = try INA226Bench.workedExample()
        try bench.driver.initialize()
        try bench.driver.configureAlert(.busOverVolts(11.0), latch: true)
        bench.model.powerCycle()
        #expect(bench.model.registers[0x06] == 0 && bench.model.registers[0x07] == 0, "alert lost")
        bench.clock.advance(seconds: 2.2e-3)
        _ = try bench.driver.sample()
        #expect(bench.driver.state.reinitializations == 1)
        #expect(try bench.driver.read(.maskEnable) & 0xFC03 == 0x2001)
        #expect(try bench.driver.read(.alertLimit) == 8800, "11 V / 1.25 mV")
    }

    @Test func aConfigurationThatNoLongerReadsBackIsRewritten() throws {
        var bench = try INA226Bench(configuration: INA226Configuration(railName: "12V", shuntMicroOhms: 2000, maxExpectedCurrentAmps: 10,
                                                                       currentLSBAmps: 0.001, averaging: .samples4),
                                    trace: { _ in (11.98, 10) })
        try bench.driver.initialize()
        // Something else on the bus sets AVG back to 1; CAL survives, so the
        // current is non-zero and only the configuration shows the change.
        var bus = bench.bus
        try bus.writeRegister16(0x00, INA226Register.configurationPOR, at: INA226Bench.address)
        bench.clock.advance(seconds: 2.2e-3)
        #expect(abs(try bench.driver.sample().currentAmps - 10) < 1e-9)
        #expect(bench.driver.state.reinitializations == 1)
        #expect(try bench.driver.read(.configuration) == bench.driver.configuration.configurationWord)
    }

    @Test func anyDieRevisionIdentifies() throws {
        let clock = VirtualClock()
        let bus = EmulatedI2CBus()
        bus.attach(INA226Model(clock: clock, shuntOhms: 0.002, dieRevision: 1, trace: { _ in (12, 1) }), at: INA226Bench.address)
        var driver = try INA226(bus: bus, address: INA226Bench.address,
                                configuration: INA226Configuration(railName: "x", shuntMicroOhms: 2000, maxExpectedCurrentAmps: 10),
                                clock: { 0 }, delay: { _ in })
        #expect(try driver.identify().dieID == 0x2261)
    }

    @Test func aTrueZeroCurrentDoesNotTriggerReinitialisation() throws {
        var bench = try INA226Bench.workedExample(currentAmps: 0)
        try bench.driver.initialize()
        bench.clock.advance(seconds: 2.2e-3)
        #expect(try bench.driver.sample().currentAmps == 0)
        #expect(bench.driver.state.reinitializations == 0)
    }

    @Test func averagingIsABlockAverageOverTheWindow() throws {
        // AVG 4 of (1.1 ms shunt + 1.1 ms bus): an 8.8 ms window. The load
        // alternates 1 A / 3 A every 2.2 ms, so each sample sees one level.
        let square: PowerTrace = { t in (12, Int((t / 2.2e-3).rounded(.down)) % 2 == 0 ? 1 : 3) }
        var averaged = try INA226Bench(configuration: INA226Configuration(railName: "12V", shuntMicroOhms: 2000,
                                       maxExpectedCurrentAmps: 10, currentLSBAmps: 0.001, averaging: .samples4), trace: square)
        try averaged.driver.initialize()
        averaged.clock.advance(seconds: 8.8e-3)
        try averaged.driver.waitForConversion()
        #expect(abs(try averaged.driver.sample().currentAmps - 2) < 1e-9)

        var single = try INA226Bench(configuration: INA226Configuration(railName: "12V", shuntMicroOhms: 2000,
                                     maxExpectedCurrentAmps: 10, currentLSBAmps: 0.001), trace: square)
        try single.driver.initialize()
        single.clock.advance(seconds: 2.2e-3)
        #expect(abs(try single.driver.sample().currentAmps - 1) < 1e-9, "first 2.2 ms window: 1 A")
        single.clock.advance(seconds: 2.2e-3)
        #expect(abs(try single.driver.sample().currentAmps - 3) < 1e-9, "second window: 3 A")
    }

    @Test func waitingForAConversionThatNeverComesTimesOut() throws {
        var bench = try INA226Bench(configuration: INA226Configuration(railName: "12V", shuntMicroOhms: 2000,
                                    maxExpectedCurrentAmps: 10, mode: .powerDown), trace: { _ in (12, 1) })
        try bench.driver.initialize()
        #expect(throws: HALError.self) { try bench.driver.waitForConversion() }
    }

    @Test func aNACKSurfacesAsTheTypedErrorAndTheNextSampleSucceeds() throws {
        var bench = try INA226Bench.workedExample()
        try bench.driver.initialize()
        bench.clock.advance(seconds: 2.2e-3)
        bench.bus.faults = [.nackOnTransaction(bench.bus.transactionCount + 2)]
        #expect(throws: HALError.noAcknowledge(.address, address: 0x40)) { try bench.driver.sample() }
        let sample = try bench.driver.sample()
        #expect(abs(sample.currentAmps - 10) < 1e-9)
        #expect(bench.driver.state.reinitializations == 0)
        bench.bus.faults = [.timeoutOnTransaction(bench.bus.transactionCount + 1)]
        #expect(throws: HALError.self) { try bench.driver.sample() }
        #expect(abs(try bench.driver.sample().busVolts - 11.98) < 1e-9)
    }

    @Test func alertFunctionsWriteTheLimitInTheComparedRegistersFormat() throws {
        var bench = try INA226Bench.workedExample()
        try bench.driver.initialize()
        try bench.driver.configureAlert(.busOverVolts(11.0))
        #expect(try bench.driver.read(.maskEnable) == 0x2000)
        #expect(try bench.driver.read(.alertLimit) == 8800, "11 V / 1.25 mV")
        bench.clock.advance(seconds: 2.2e-3)
        #expect(try bench.driver.readMaskEnable().contains(.alertFunctionFlag), "11.98 V > 11 V")

        try bench.driver.configureAlert(.shuntOverVolts(-0.001), latch: true, activeHigh: true)
        #expect(try bench.driver.read(.maskEnable) & 0xFC03 == 0x8003)
        #expect(try bench.driver.read(.alertLimit) == 0xFE70, "-400 counts of 2.5 µV")
        try bench.driver.configureAlert(.powerOverWatts(100))
        #expect(try bench.driver.read(.alertLimit) == 4000, "100 W / 25 mW")
        try bench.driver.configureAlert(.overCurrentAmps(5))
        #expect(try bench.driver.read(.alertLimit) == 4000, "5 A × 2 mΩ = 10 mV = 4000 counts")
        try bench.driver.configureAlert(.conversionReady)
        #expect(try bench.driver.read(.maskEnable) & 0xFC03 == 0x0400)
        #expect(throws: HALError.self) { try bench.driver.configureAlert(.busOverVolts(50)) }
        #expect(throws: HALError.self) { try bench.driver.configureAlert(.shuntOverVolts(0.1)) }
    }

    @Test func resetWritesTheRSTBit() throws {
        var bench = try INA226Bench.workedExample()
        try bench.driver.initialize()
        try bench.driver.reset()
        #expect(try bench.driver.read(.calibration) == 0)
        #expect(bench.model.resets == 1)
    }
}

/// What a driver using SMBus read-word would see: each register's bytes swapped.
struct SMBusWordOrderBus: I2CBus {
    var inner: EmulatedI2CBus
    mutating func transaction(_ operations: [I2COperation], at address: I2CAddress) throws(HALError) -> [[UInt8]] {
        try inner.transaction(operations, at: address).map { Array($0.reversed()) }
    }
}
