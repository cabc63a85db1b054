@testable import CIMDrivers
import CIMEmulation
import CIMHAL
import Testing

/// Register-level checks from the INA228 datasheet (SLYS021), runnable on
/// the emulated bus and, through `HardwareInLoop`, on a real chip.
enum INA228Checks {
    /// MANUFACTURER_ID "TI" and DIEID 228h, at 3Eh/3Fh (not FEh/FFh).
    static func identity<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        #expect(try bus.readRegister16(0x3E, at: address) == 0x5449)
        #expect(try bus.readRegister16(0x3F, at: address) >> 4 == 0x228)
    }

    /// RST returns CONFIG, ADC_CONFIG and SHUNT_CAL to 0000h, FB68h and 1000h.
    static func resetRestoresPowerOnValues<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        try bus.writeRegister16(0x00, 0x0010, at: address)
        try bus.writeRegister16(0x01, 0xB000, at: address)
        try bus.writeRegister16(0x02, 0x0FD2, at: address)
        try bus.writeRegister16(0x00, 0x8000, at: address)
        #expect(try bus.readRegister16(0x00, at: address) == 0x0000)
        #expect(try bus.readRegister16(0x01, at: address) == 0xFB68)
        #expect(try bus.readRegister16(0x02, at: address) == 0x1000)
    }

    /// SHUNT_CAL bit 15 is reserved and reads 0.
    static func shuntCalibrationIsFifteenBits<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        try bus.writeRegister16(0x02, 0xFFFF, at: address)
        #expect(try bus.readRegister16(0x02, at: address) == 0x7FFF)
        try bus.writeRegister16(0x00, 0x8000, at: address)
    }
}

struct INA228Bench {
    let clock = VirtualClock()
    let bus = EmulatedI2CBus()
    let model: INA228Model
    var driver: INA228<EmulatedI2CBus>
    static let address = try! I2CAddress(0x45)

    /// The datasheet's design example (SLYS021 §8.2.2): 16.2 mΩ, 10 A.
    static let example = INA228Configuration(railName: "48V", shuntMicroOhms: 16_200, maxExpectedCurrentAmps: 10,
                                             mode: .continuousShuntAndBus)

    init(configuration: INA228Configuration = Self.example, trace: @escaping PowerTrace) throws {
        model = INA228Model(clock: clock, shuntOhms: configuration.shuntMicroOhms * 1e-6, trace: trace)
        bus.attach(model, at: Self.address)
        let clock = clock
        driver = try INA228(bus: bus, address: Self.address, configuration: configuration,
                            clock: { clock.nowSeconds }, delay: { clock.advance(seconds: $0) })
    }
}

@Suite struct INA228Tests {
    @Test func datasheetRegisterChecksOnTheEmulatedBus() throws {
        let bench = try INA228Bench(trace: { _ in (48, 6) })
        var bus = bench.bus
        try INA228Checks.identity(&bus, at: INA228Bench.address)
        try INA228Checks.resetRestoresPowerOnValues(&bus, at: INA228Bench.address)
        try INA228Checks.shuntCalibrationIsFifteenBits(&bus, at: INA228Bench.address)
    }

    /// SLYS021 §8.2.2.3: CURRENT_LSB = 10 A / 2^19, SHUNT_CAL = 13107.2·10⁶ ×
    /// CURRENT_LSB × 16.2 mΩ = 4050 (FD2h); Power_LSB = 3.2 × CURRENT_LSB.
    @Test func theDesignExampleCalibratesToFourThousandFifty() throws {
        let calibration = try INA228Calibration(INA228Bench.example)
        #expect(calibration.register == 4050)
        #expect(abs(calibration.currentLSBAmps - 10.0 / 524_288) < 1e-15)
        #expect(abs(calibration.powerLSBWatts - 3.2 * 10.0 / 524_288) < 1e-15)
    }

    /// ADCRANGE = 1 quarters the LSB, so SHUNT_CAL is four times larger
    /// (SLYS021 §8.1.2): 2 A on 16.2 mΩ is 32.4 mV, inside ±40.96 mV.
    @Test func theFineRangeQuadruplesShuntCal() throws {
        var c = INA228Bench.example
        c.maxExpectedCurrentAmps = 2
        c.shuntRange = .millivolts41
        #expect(try INA228Calibration(c).register == 3240)
        c.maxExpectedCurrentAmps = 10
        #expect(throws: HALError.self) { _ = try INA228Calibration(c) }
    }

    /// The datasheet's returned values (SLYS021 Table 8-4, as printed for the
    /// INA229): VBUS 245760 → 48 V, CURRENT 314572 → 6 A, VSHUNT 311040 →
    /// 97.2 mV, −97.2 mV as B4100h in bits 23:4; DIETEMP 3200 → 25 °C.
    @Test func datasheetRegisterValuesDecode() throws {
        let calibration = try INA228Calibration(INA228Bench.example)
        let reading = try INA228Chip.reading(INARawSample(bus: 0x3C_0000, current: 0x4C_CCC0, power: 4_718_592),
                                             configuration: INA228Bench.example, calibration: calibration,
                                             address: INA228Bench.address)
        #expect(abs(reading.busVolts - 48) < 1e-12)
        #expect(abs(reading.currentAmps - 314_572 * 10.0 / 524_288) < 1e-12)
        #expect(abs(reading.powerWatts - 288) < 1e-9)
        #expect(abs(Double(INA228Chip.signed20(0x4B_F000)) * 312.5e-9 - 0.0972) < 1e-15)
        #expect(abs(Double(INA228Chip.signed20(0xB4_1000)) * 312.5e-9 + 0.0972) < 1e-15)
        #expect(Double(Int16(3200)) * INA228Register.temperatureLSBCelsius == 25)
    }

    /// The model computes CURRENT = VSHUNT × 4096 / SHUNT_CAL, which gives
    /// the datasheet's 311040 → 314572 at SHUNT_CAL 4050; the driver reads
    /// 6 A, 48 V and 288 W to within their LSBs.
    @Test func aSampleOfTheDesignExampleMatchesTheDatasheet() throws {
        var bench = try INA228Bench(trace: { _ in (48, 6) })
        try bench.driver.identify()
        try bench.driver.initialize()
        try bench.driver.waitForConversion()
        #expect(bench.bus.registerReads(bench, 0x04) == 311_040)
        #expect(bench.bus.registerReads(bench, 0x07) == 314_572)
        #expect(bench.bus.registerReads(bench, 0x05) == 245_760)
        let sample = try bench.driver.sample()
        #expect(abs(sample.busVolts - 48) < 195.3125e-6)
        #expect(abs(sample.currentAmps - 6) < 2 * bench.driver.calibration.currentLSBAmps)
        #expect(abs(sample.powerWatts - 288) < 288 * 1e-5)
        #expect(abs(try bench.driver.readShuntVolts() - 0.0972) < 1e-12)
    }

    @Test func negativeCurrentGivesNegativePower() throws {
        var bench = try INA228Bench(trace: { _ in (12, -3) })
        try bench.driver.initialize()
        try bench.driver.waitForConversion()
        let sample = try bench.driver.sample()
        #expect(abs(sample.currentAmps + 3) < 2 * bench.driver.calibration.currentLSBAmps)
        #expect(sample.powerWatts < 0 && abs(sample.powerWatts + 36) < 36 * 1e-4)
    }

    /// A power cycle returns ADC_CONFIG to FB68h: the next sample sets the
    /// chip up again, once, and reads the rail correctly.
    @Test func aResetChipIsSetUpAgainAtTheNextSample() throws {
        var bench = try INA228Bench(trace: { _ in (48, 6) })
        try bench.driver.initialize()
        try bench.driver.waitForConversion()
        _ = try bench.driver.sample()
        #expect(bench.driver.state.reinitializations == 0)
        bench.model.powerCycle()
        let sample = try bench.driver.sample()
        #expect(bench.driver.state.reinitializations == 1)
        #expect(abs(sample.currentAmps - 6) < 2 * bench.driver.calibration.currentLSBAmps)
        #expect(try bench.driver.read(.adcConfiguration) == INA228Bench.example.adcConfigurationWord)
    }

    /// With ADC_CONFIG left at POR a reset shows only in SHUNT_CAL (1000h).
    @Test func atPORSettingsTheShuntCalibrationRevealsAReset() throws {
        var c = INA228Bench.example
        c.mode = .continuousAll
        var bench = try INA228Bench(configuration: c, trace: { _ in (48, 6) })
        try bench.driver.initialize()
        try bench.driver.waitForConversion()
        #expect(try bench.driver.readDieTemperatureCelsius() == 25, "the model's die sits at 25 °C when temperature is converted")
        bench.model.powerCycle()
        _ = try bench.driver.sample()
        #expect(bench.driver.state.reinitializations == 1)
        #expect(try bench.driver.read(.shuntCalibration) == 4050)
    }

    @Test func anotherChipAtTheAddressIsRefused() throws {
        let clock = VirtualClock()
        let bus = EmulatedI2CBus()
        bus.attach(INA226Model(clock: clock, shuntOhms: 0.002, trace: { _ in (5, 1) }), at: INA228Bench.address)
        var wrong = try INA228(bus: bus, address: INA228Bench.address, configuration: INA228Bench.example,
                               clock: { 0 }, delay: { _ in })
        #expect(throws: HALError.self) { try wrong.identify() }
    }
}

extension EmulatedI2CBus {
    /// A 24-bit result register's 20-bit value, as the chip holds it.
    fileprivate func registerReads(_ bench: INA228Bench, _ pointer: UInt8) -> Int {
        var bus = self
        guard let raw = try? bus.readRegister(pointer, bytes: 3, at: INA228Bench.address) else { return -1 }
        return Int(INA228Chip.signed20(raw))
    }
}
