import BoardSupport
import CIMDrivers
import CIMHAL
import Foundation
import Testing

/// The driver checks (`INA226Checks` and friends take any `I2CBus`) on the
/// board that CIMFW_HIL_BOARD names: on a Raspberry Pi with
/// `CIMFW_HIL_BOARD=boards/rpi4-cim-eval.toml swift test --filter HardwareInLoop`
/// they run on /dev/i2c-N; with `boards/virtual-eval.toml` they run on the
/// emulated board, which is how CI checks this suite itself.
/// The checks reset each monitor (RST) and leave it at power-on settings.
enum HardwareInLoop {
    static var boardFile: String? { ProcessInfo.processInfo.environment["CIMFW_HIL_BOARD"] }

    static func configuration() throws -> HardwareBoardConfiguration {
        let path = boardFile ?? ""
        guard case let .hardware(c) = try BoardFile.load(path: path) else {
            throw HALError.invalidArgument("CIMFW_HIL_BOARD=\(path) is a simulated board; name a linux or emulated board file")
        }
        return c
    }

    /// What a sample of monitor `m` may read, from the board-file values the
    /// way `HardwareBoard` maps them to driver configurations.
    struct SampleExpectation {
        /// The chip's bus input range: INA226/INA260 0–36 V (SBOS547 §7.3,
        /// SBOS656 §7.3), INA219 the 32 V BRNG the board configuration
        /// selects (SBOS448 §8.6.2.1), INA3221 0–26 V (SBOS576 §7.3) with one
        /// 8 mV LSB of slack below 0 because its bus register is signed.
        var busVoltsRange: ClosedRange<Double>
        /// AVG × (bus + shunt conversion time) from the board file (× 3 channels
        /// for an INA3221): only spaces the samples, so an estimate suffices.
        var conversionPeriodSeconds: Double
        /// Power LSB of the chip's power register; 0 when power is host-computed.
        var powerLSBWatts: Double

        /// The chip truncates its power product to one LSB (SBOS547 §7.5,
        /// SBOS448 §8.5, SBOS656 §8.6.4); bus, current and power are read in
        /// separate transactions and may come from adjacent conversions, so a
        /// load that moves between conversions adds a further 1 % margin. The
        /// INA3221's power is V × I computed from the same two numbers.
        func powerToleranceWatts(_ productWatts: Double) -> Double {
            powerLSBWatts == 0 ? 1e-9 * max(productWatts, 1) : 3 * powerLSBWatts + 0.01 * productWatts
        }
    }

    static func sampleExpectation(_ m: HardwareBoardConfiguration.PowerMonitorConfiguration) throws(HALError) -> SampleExpectation {
        let averaging = Double(max(m.averaging, 1))
        let periodSeconds = averaging * Double(m.busConversionMicroseconds + m.shuntConversionMicroseconds) * 1e-6
        switch m.chip.rawValue {
        case "ina226":
            let calibration = try INACalibration.ina226(shuntMicroOhms: Double(m.rshuntMicroOhms), maxExpectedCurrentAmps: m.maxCurrentAmps)
            return SampleExpectation(busVoltsRange: 0...36, conversionPeriodSeconds: periodSeconds, powerLSBWatts: calibration.powerLSBWatts)
        case "ina219":
            let calibration = try INACalibration.ina219(shuntMicroOhms: Double(m.rshuntMicroOhms), maxExpectedCurrentAmps: m.maxCurrentAmps)
            return SampleExpectation(busVoltsRange: 0...32, conversionPeriodSeconds: periodSeconds, powerLSBWatts: calibration.powerLSBWatts)
        case "ina260":
            return SampleExpectation(busVoltsRange: 0...36, conversionPeriodSeconds: periodSeconds, powerLSBWatts: 10e-3)
        case "ina3221":
            return SampleExpectation(busVoltsRange: -8e-3...26, conversionPeriodSeconds: 3 * periodSeconds, powerLSBWatts: 0)
        case "ina228":
            let calibration = try INA228Calibration(try INA228Chip.configuration(for: m.railSettings))
            return SampleExpectation(busVoltsRange: 0...85, conversionPeriodSeconds: periodSeconds, powerLSBWatts: calibration.powerLSBWatts)
        default:
            throw .unsupported("no sample expectation for the \(m.chip.partNumber)")
        }
    }
}

@Suite(.enabled(if: HardwareInLoop.boardFile != nil, "set CIMFW_HIL_BOARD to a board file to run the driver checks on that board"),
       .serialized)
struct HardwareInLoopTests {
    /// Every register check except the conversion-timing ones, on every
    /// backend. Those compare CVRF against CT × AVG with margins of tens of µs,
    /// while on hardware `Thread.sleep` overshoots and each I2C transaction
    /// takes 100–480 µs: they would fail on good chips. On an emulated board
    /// real sleeps would not move the virtual clock anyway. Conversion timing
    /// stays covered on the emulated bus by each chip's own suite.
    @Test func everyPowerMonitorPassesItsChipChecks() throws {
        let c = try HardwareInLoop.configuration()
        var bus = try HardwareBoard.openBus(c)
        for m in c.powerMonitors {
            let address = try I2CAddress(m.address)
            switch m.chip.rawValue {
            case "ina226":
                try INA226Checks.identity(&bus, at: address)
                try INA226Checks.resetRestoresPowerOnValues(&bus, at: address)
                try INA226Checks.configurationFields(&bus, at: address)
                try INA226Checks.calibrationIsFifteenBits(&bus, at: address)
                try INA226Checks.readOnlyRegistersIgnoreWrites(&bus, at: address)
                try INA226Checks.pointerIsRetained(&bus, at: address)
            case "ina219":
                try INA219Checks.resetRestoresPowerOnValues(&bus, at: address)
                try INA219Checks.configurationFields(&bus, at: address)
                try INA219Checks.calibrationBitZeroIsVoid(&bus, at: address)
            case "ina260":
                try INA260Checks.identity(&bus, at: address)
                try INA260Checks.resetRestoresPowerOnValues(&bus, at: address)
                try INA260Checks.configurationFields(&bus, at: address)
                try INA260Checks.readOnlyRegistersIgnoreWrites(&bus, at: address)
            case "ina3221":
                try INA3221Checks.identity(&bus, at: address)
                try INA3221Checks.resetRestoresPowerOnValues(&bus, at: address)
                try INA3221Checks.configurationAndLimitFields(&bus, at: address)
            case "ina228":
                try INA228Checks.identity(&bus, at: address)
                try INA228Checks.resetRestoresPowerOnValues(&bus, at: address)
                try INA228Checks.shuntCalibrationIsFifteenBits(&bus, at: address)
            default:
                Issue.record("no register checks for the \(m.chip.partNumber) at \(address)")
            }
        }
    }

    /// The drivers as the board file configures them (`Board.open` builds,
    /// identifies and initialises one per `[power.<rail>]`), a few samples
    /// each, a few conversion periods apart: the bus voltage is finite and
    /// inside the chip's range, and power agrees with |V × I|.
    @Test func everyPowerMonitorSamplesPlausibly() throws {
        let c = try HardwareInLoop.configuration()
        let board = try Board.open(.hardware(c))
        #expect(board.powerMonitors.count == c.powerMonitors.count)
        for (index, m) in zip(c.powerMonitors.indices, c.powerMonitors) where index < board.powerMonitors.count {
            #expect(board.powerMonitors[index].railName == m.rail)
            let expectation = try HardwareInLoop.sampleExpectation(m)
            for _ in 0..<4 {
                board.clock.wait(expectation.conversionPeriodSeconds * 2)
                let sample = try board.powerMonitors[index].sample()
                #expect(sample.busVolts.isFinite && sample.currentAmps.isFinite && sample.powerWatts.isFinite,
                        "\(m.rail): \(sample)")
                #expect(expectation.busVoltsRange.contains(sample.busVolts), "\(m.rail): bus \(sample.busVolts) V")
                let product = abs(sample.busVolts * sample.currentAmps)
                #expect(abs(abs(sample.powerWatts) - product) <= expectation.powerToleranceWatts(product),
                        "\(m.rail): |P| \(abs(sample.powerWatts)) W against |V × I| \(product) W")
            }
        }
    }
    @Test func theEvalBoardProgramsAndMultipliesCloseToTheExactProduct() throws {
        let board = try Board.open(.hardware(try HardwareInLoop.configuration()))
        let g = board.accelerator.geometry
        let rows = min(g.rows, 32), columns = min(g.columns, 16)
        let values = (0..<(rows * columns)).map { Float(($0 * 37 % 19) - 9) / 18 }
        let weights = try WeightMatrix(rows: rows, columns: columns, values: values)
        let report = try board.accelerator.program(tile: 0, weights: weights, policy: WriteVerifyPolicy(toleranceRelative: 0.02, maxPulses: 8))
        var input = [Int32](repeating: 0, count: g.rows)
        for i in 0..<rows { input[i] = Int32((i * 13 % 9) - 4) * report.readout.inputCodeMax / 4 }
        var output = [Int32](repeating: 0, count: g.columns)
        try board.accelerator.multiply(tile: 0, inputCodes: input, into: &output)
        var num = 0.0, den = 0.0
        for j in 0..<columns {
            var exact = 0.0
            for i in 0..<rows { exact += Double(input[i]) / Double(report.readout.inputCodeMax) * Double(weights[i, j]) }
            let measured = report.readout.value(ofOutputCode: output[j], column: j)
            num += (measured - exact) * (measured - exact)
            den += exact * exact
        }
        // An analog board is not exact; it is within tens of percent, not garbage.
        #expect((num / den).squareRoot() < 0.3, "relative MVM error \((num / den).squareRoot())")
        _ = try board.accelerator.dieTemperatureCelsius()
    }
}
