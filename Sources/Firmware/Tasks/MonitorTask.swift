import CIMHAL

/// Every check period: reads the die temperature, and forces a calibration
/// when it has moved past the image's threshold since the last one, or when
/// reference-column tracking shows the gains have drifted past theirs.
final class MonitorTask: FirmwareTask {
    let name = "monitor"
    let periodSeconds: Double
    let firstDueAfterSeconds: Double?
    let priority = 2
    private let calibration: Scheduler.Handle

    init(periodSeconds: Double, calibration: Scheduler.Handle) {
        self.periodSeconds = periodSeconds
        firstDueAfterSeconds = periodSeconds
        self.calibration = calibration
    }

    func run(in context: RunContext) {
        let f = context.firmware, m = f.image.manifest
        do {
            context.lastCelsius = try f.retry.run(clock: context.clock, onRetry: f.busRetried) { () throws(HALError) in
                try f.devices.accelerator.dieTemperatureCelsius()
            }
        } catch {
            f.record(.busError, "reading the die temperature: \(error)", action: "skipped this check", recovered: true)
            return
        }
        guard f.options.recalibration else { return }
        if abs(context.lastCelsius - f.celsiusAtCalibration) >= m.calibration.temperatureThresholdCelsius {
            f.pendingCalibrationReason = .temperature
            context.scheduler.trigger(calibration)
            return
        }
        if let drift = f.referenceDrift(), drift > m.calibration.referenceDriftThresholdRelative {
            f.pendingCalibrationReason = .referenceDrift
            context.scheduler.trigger(calibration)
        }
    }
}
