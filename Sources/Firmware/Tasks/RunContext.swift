import CIMHAL

/// What the tasks of one run share: the firmware and its board, the meter,
/// the energy log, the die temperature last read, and how the run ends (a
/// stop reason or an unrecoverable failure, whichever comes first).
final class RunContext {
    unowned let firmware: KWSFirmware
    let clock: BoardClock
    let meter: EnergyMeter
    let scheduler: Scheduler
    let log: EnergyLogSink?
    let hopSeconds: Double
    let startSeconds: Double
    let shouldStop: () -> Bool
    var lastCelsius: Double
    /// Detections since the last period row of the energy log.
    var periodDetections = 0
    var lastKeyword = ""
    private(set) var stopReason: String?
    private(set) var failure: FirmwareError?

    init(firmware: KWSFirmware, meter: EnergyMeter, log: EnergyLogSink?, hopSeconds: Double, shouldStop: @escaping () -> Bool) {
        self.firmware = firmware
        clock = firmware.devices.clock
        self.meter = meter
        self.log = log
        self.hopSeconds = hopSeconds
        self.shouldStop = shouldStop
        startSeconds = clock.now()
        scheduler = Scheduler(clock: clock)
        lastCelsius = firmware.celsiusAtCalibration
    }

    /// Whether the loop should end before the next task.
    var isOver: Bool { shouldStop() || stopReason != nil || failure != nil }

    func stop(_ reason: String) { stopReason = stopReason ?? reason }

    func fail(_ error: FirmwareError) { failure = failure ?? error }

    /// Runs `body`, turning an unrecoverable error into the run's failure.
    func guarded(_ body: () throws(FirmwareError) -> Void) {
        do { try body() } catch { fail(error) }
    }

    /// Appends a row to the energy log, unless the run has already failed.
    func write(_ record: EnergyLogRecord) {
        guard let log, failure == nil else { return }
        if let error = log.append(record, nowSeconds: clock.now()) { fail(error) }
    }

    /// Why the run ended, once the scheduler has returned.
    func finalStopReason() -> String {
        if let stopReason { return stopReason }
        if failure != nil { return "" }
        return shouldStop() ? "stopped by \(StopSignal.name ?? "request")" : "duration reached"
    }
}
