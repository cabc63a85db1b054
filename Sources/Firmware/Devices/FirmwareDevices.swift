import CIMHAL

/// What the firmware runs on: the HAL devices a board file described,
/// already opened, and the board's clock. The firmware sees protocols only;
/// which backend stands behind them was decided when the board was opened.
public struct FirmwareDevices {
    public var boardName: String
    public var accelerator: any CIMAccelerator
    public var powerMonitors: [any PowerMonitor]
    /// Raised around each inference (the MLPerf Tiny marker), when the board has one.
    public var marker: (any GPIOOutputLine)?
    public var clock: BoardClock
    public var programmingPolicy: WriteVerifyPolicy
    public var calibrationMethod: CalibrationMethod
    /// Joules spent so far by the energy model, on boards that have one
    /// (simulated boards, and the model behind an emulated eval board).
    public var energyModelJoules: (() -> Double)?
    /// Probes every device in the board file: a line per device, or the
    /// first device that does not answer as its file says.
    public var selfTest: () throws(HALError) -> [String]

    public init(boardName: String, accelerator: any CIMAccelerator, powerMonitors: [any PowerMonitor],
                marker: (any GPIOOutputLine)?, clock: BoardClock, programmingPolicy: WriteVerifyPolicy,
                calibrationMethod: CalibrationMethod, energyModelJoules: (() -> Double)?,
                selfTest: @escaping () throws(HALError) -> [String]) {
        self.boardName = boardName
        self.accelerator = accelerator
        self.powerMonitors = powerMonitors
        self.marker = marker
        self.clock = clock
        self.programmingPolicy = programmingPolicy
        self.calibrationMethod = calibrationMethod
        self.energyModelJoules = energyModelJoules
        self.selfTest = selfTest
    }
}
