/// Every calibration period, or when the monitor forces one: a full
/// per-column calibration for the reason pending, then the tile health
/// check (which may reprogram a tile). Does nothing with recalibration off.
final class CalibrationTask: FirmwareTask {
    let name = "calibration"
    let periodSeconds: Double
    let firstDueAfterSeconds: Double?
    let priority = 4

    init(periodSeconds: Double) {
        self.periodSeconds = periodSeconds
        firstDueAfterSeconds = periodSeconds
    }

    func run(in context: RunContext) {
        let f = context.firmware
        guard f.options.recalibration else { return }
        context.guarded { () throws(FirmwareError) in
            try f.calibrate(reason: f.pendingCalibrationReason ?? .period)
            f.pendingCalibrationReason = nil
            try f.checkTiles()
        }
    }
}
