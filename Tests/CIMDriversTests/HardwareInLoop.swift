import BoardSupport
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

    /// Real time on hardware; the checks' waits are a few milliseconds.
    static func delay(_ seconds: Double) { Thread.sleep(forTimeInterval: seconds) }
}

@Suite(.enabled(if: HardwareInLoop.boardFile != nil, "set CIMFW_HIL_BOARD to a board file to run the driver checks on that board"),
       .serialized)
struct HardwareInLoopTests {
    @Test func everyPowerMonitorPassesItsChipChecks() throws {
        let c = try HardwareInLoop.configuration()
        var bus = try HardwareBoard.openBus(c)
        let emulatedDelay: (Double) -> Void = { _ in }
        for m in c.powerMonitors {
            let address = try I2CAddress(m.address)
            // Emulated chips live on a virtual clock the checks cannot reach: real
            // sleeps there would not move it, so only the timing check is skipped.
            let delay = c.backend == .linux ? HardwareInLoop.delay : emulatedDelay
            switch m.chip {
            case .ina226:
                if c.backend == .linux { try INA226Checks.all(&bus, at: address, delay: delay) } else {
                    try INA226Checks.identity(&bus, at: address)
                    try INA226Checks.resetRestoresPowerOnValues(&bus, at: address)
                    try INA226Checks.configurationFields(&bus, at: address)
                    try INA226Checks.calibrationIsFifteenBits(&bus, at: address)
                    try INA226Checks.readOnlyRegistersIgnoreWrites(&bus, at: address)
                    try INA226Checks.pointerIsRetained(&bus, at: address)
                }
            case .ina219: try INA219Checks.all(&bus, at: address, delay: delay)
            case .ina260: try INA260Checks.all(&bus, at: address, delay: delay)
            case .ina3221: try INA3221Checks.all(&bus, at: address, delay: delay)
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
