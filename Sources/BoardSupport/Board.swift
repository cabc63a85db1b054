import CIMEmulation
import CIMHAL
import CIMSimulator
import Foundation

/// An assembled board: the HAL devices its file describes, opened, with the
/// capabilities its backend has (`BoardDevices`). The one place a backend is
/// chosen; everything above talks to the protocols and asks for
/// capabilities.
public final class Board {
    public var devices: BoardDevices

    public var name: String { devices.name }
    public var accelerator: any CIMAccelerator {
        get { devices.accelerator }
        set { devices.accelerator = newValue }
    }
    public var powerMonitors: [any PowerMonitor] {
        get { devices.powerMonitors }
        set { devices.powerMonitors = newValue }
    }
    public var marker: (any GPIOOutputLine)? {
        get { devices.marker }
        set { devices.marker = newValue }
    }
    public var clock: BoardClock { devices.clock }
    public var programmingPolicy: WriteVerifyPolicy { devices.programmingPolicy }
    public var calibrationMethod: CalibrationMethod { devices.calibrationMethod }
    public var claimedPeakTOPS: Double? { devices.claimedPeakTOPS }

    /// The board's implementation of `type`, when it has one.
    public func capability<Capability>(_ type: Capability.Type) -> Capability? { devices.capability(type) }

    /// Write-verify to ±2% of the range with up to 10 pulses and 32
    /// reference vectors, where the board file does not say (hardware):
    /// the values the simulated presets use (boards/sim-rram-256.toml).
    public static let hardwareProgrammingPolicy = WriteVerifyPolicy(toleranceRelative: 0.02, maxPulses: 10)
    public static let hardwareCalibrationMethod = CalibrationMethod.referenceInputs(count: 32)

    init(_ devices: BoardDevices) {
        self.devices = devices
    }

    public static func open(_ description: BoardDescription) throws(HALError) -> Board {
        switch description {
        case let .simulated(configuration):
            let accelerator = try SimulatedAccelerator(configuration: configuration)
            let monitors: [any PowerMonitor] = [SimulatedPowerMonitor(railName: "board", accelerator: accelerator)]
            return Board(BoardDevices(
                name: configuration.name, accelerator: accelerator, powerMonitors: monitors, marker: nil,
                clock: BoardClock(now: { accelerator.nowSeconds }, wait: { accelerator.advance(seconds: $0) }, isVirtual: true),
                programmingPolicy: configuration.defaultPolicy,
                calibrationMethod: .referenceInputs(count: configuration.calibration.referenceVectors),
                claimedPeakTOPS: nil, backendName: "simulated",
                capabilities: [SimulatedMacro(accelerator), SimulatedBoardSelfTest(accelerator: accelerator, monitors: monitors)]))
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
