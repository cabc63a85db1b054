import CIMEmulation
import CIMHAL
import CIMSimulator
import Foundation

/// An assembled board: the HAL devices its file describes, opened. The one
/// place a backend is chosen; everything above talks to the protocols.
public final class Board {
    public let name: String
    public var accelerator: any CIMAccelerator
    public var powerMonitors: [any PowerMonitor]
    /// The inference marker (raised around a run of inferences, the MLPerf
    /// Tiny way); nil on a simulated board, which has no GPIO.
    public var marker: (any GPIOOutputLine)?
    /// The board's time base: virtual for simulated and emulated boards (a
    /// wait passes instantly and advances the model), monotonic on hardware.
    public let clock: BoardClock
    /// How this board's weights are written: the board file's
    /// `[programming]` verify settings on a simulated board.
    public let programmingPolicy: WriteVerifyPolicy
    /// How this board's columns are calibrated in full.
    public let calibrationMethod: CalibrationMethod
    /// The simulated accelerator behind the board, when there is one (a
    /// simulated board, or the model behind an emulated eval board): the
    /// energy model's ground truth and the thermal chamber.
    public let simulation: SimulatedAccelerator?
    /// Scans the board's bus and checks every device its file names (the
    /// check `cimfw probe` prints); nil on a simulated board, which has no bus.
    public let probe: (() -> BoardProbe.Report)?
    /// The emulated bus of an emulated board, for injecting faults in tests.
    public let emulatedBus: EmulatedI2CBus?
    /// A hardware board's datasheet peak (board file `eval_board.peak_tops`).
    public let claimedPeakTOPS: Double?

    /// Write-verify to ±2% of the range with up to 10 pulses and 32
    /// reference vectors, where the board file does not say (hardware):
    /// the values the simulated presets use (boards/sim-rram-256.toml).
    public static let hardwareProgrammingPolicy = WriteVerifyPolicy(toleranceRelative: 0.02, maxPulses: 10)
    public static let hardwareCalibrationMethod = CalibrationMethod.referenceInputs(count: 32)

    init(name: String, accelerator: any CIMAccelerator, powerMonitors: [any PowerMonitor],
         marker: (any GPIOOutputLine)? = nil, clock: BoardClock,
         programmingPolicy: WriteVerifyPolicy = Board.hardwareProgrammingPolicy,
         calibrationMethod: CalibrationMethod = Board.hardwareCalibrationMethod,
         simulation: SimulatedAccelerator? = nil, probe: (() -> BoardProbe.Report)? = nil,
         emulatedBus: EmulatedI2CBus? = nil, claimedPeakTOPS: Double? = nil) {
        self.name = name
        self.accelerator = accelerator
        self.powerMonitors = powerMonitors
        self.marker = marker
        self.clock = clock
        self.programmingPolicy = programmingPolicy
        self.calibrationMethod = calibrationMethod
        self.simulation = simulation
        self.probe = probe
        self.emulatedBus = emulatedBus
        self.claimedPeakTOPS = claimedPeakTOPS
    }

    public static func open(_ description: BoardDescription) throws(HALError) -> Board {
        switch description {
        case let .simulated(configuration):
            let accelerator = try SimulatedAccelerator(configuration: configuration)
            return Board(name: configuration.name, accelerator: accelerator,
                         powerMonitors: [SimulatedPowerMonitor(railName: "board", accelerator: accelerator)],
                         clock: BoardClock(now: { accelerator.nowSeconds }, wait: { accelerator.advance(seconds: $0) }, isVirtual: true),
                         programmingPolicy: configuration.defaultPolicy,
                         calibrationMethod: .referenceInputs(count: configuration.calibration.referenceVectors),
                         simulation: accelerator)
        case let .hardware(configuration):
            return try HardwareBoard.open(configuration)
        }
    }
}

extension BoardClock {
    /// CLOCK_MONOTONIC seconds, the time base of libgpiod's edge events.
    public static var monotonic: BoardClock {
        BoardClock(
        now: {
            var t = timespec()
            clock_gettime(CLOCK_MONOTONIC, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        },
        wait: { seconds in if seconds > 0 { Thread.sleep(forTimeInterval: seconds) } },
        isVirtual: false)
    }
}
