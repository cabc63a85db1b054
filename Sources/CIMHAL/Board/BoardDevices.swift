/// A board as the code above BoardSupport sees it: the HAL devices its file
/// describes, opened, and what only some backends can do, asked for by
/// capability (`capability(_:)`), never by backend type. BoardSupport builds
/// it; firmware, evaluation and the command-line tool take it.
public struct BoardDevices {
    public let name: String
    public var accelerator: any CIMAccelerator
    /// Every monitor of the board; on a simulated board, one that reads the
    /// energy model (`ModelledPowerMonitor`).
    public var powerMonitors: [any PowerMonitor]
    /// The inference marker (raised around a run of inferences, the MLPerf
    /// Tiny way); nil where the board has no GPIO.
    public var marker: (any GPIOOutputLine)?
    /// The board's time base: virtual for simulated and emulated boards (a
    /// wait passes instantly and advances the model), monotonic on hardware.
    public let clock: BoardClock
    /// How this board's weights are written.
    public let programmingPolicy: WriteVerifyPolicy
    /// How this board's columns are calibrated in full.
    public let calibrationMethod: CalibrationMethod
    /// The datasheet's peak TOPS for the whole chip, when its file states one.
    public let claimedPeakTOPS: Double?
    /// What stands behind the devices, for reports only ("simulated",
    /// "emulated", "hardware"); code asks for capabilities instead.
    public let backendName: String
    public let capabilities: [any BoardCapability]

    public init(name: String, accelerator: any CIMAccelerator, powerMonitors: [any PowerMonitor],
                marker: (any GPIOOutputLine)?, clock: BoardClock, programmingPolicy: WriteVerifyPolicy,
                calibrationMethod: CalibrationMethod, claimedPeakTOPS: Double?, backendName: String,
                capabilities: [any BoardCapability]) {
        self.name = name
        self.accelerator = accelerator
        self.powerMonitors = powerMonitors
        self.marker = marker
        self.clock = clock
        self.programmingPolicy = programmingPolicy
        self.calibrationMethod = calibrationMethod
        self.claimedPeakTOPS = claimedPeakTOPS
        self.backendName = backendName
        self.capabilities = capabilities
    }

    /// The board's implementation of `type`, when it has one.
    public func capability<Capability>(_ type: Capability.Type) -> Capability? {
        for capability in capabilities {
            if let match = capability as? Capability { return match }
        }
        return nil
    }

    /// The monitors that measure a rail, without the ones that read an energy model.
    public var measuringPowerMonitors: [any PowerMonitor] {
        powerMonitors.filter { !($0 is any ModelledPowerMonitor) }
    }
}
