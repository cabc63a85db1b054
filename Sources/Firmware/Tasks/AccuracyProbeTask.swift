/// Every `--accuracy-every`, from the start: the image's test set through
/// the accelerator, compared with the float model (`KWSFirmware.probeAccuracy`).
final class AccuracyProbeTask: FirmwareTask {
    let name = "accuracy-probe"
    let periodSeconds: Double
    let firstDueAfterSeconds: Double? = 0
    let priority = 0

    init(periodSeconds: Double) { self.periodSeconds = periodSeconds }

    func run(in context: RunContext) {
        let f = context.firmware
        context.guarded { () throws(FirmwareError) in _ = try f.probeAccuracy() }
    }
}
