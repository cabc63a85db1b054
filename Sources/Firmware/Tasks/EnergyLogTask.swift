/// Every log period, and once more as the run ends: closes the meter's
/// period and writes its row (energy, average and idle power, detections).
final class EnergyLogTask: FirmwareTask {
    let name = "energy-log"
    let periodSeconds: Double
    let firstDueAfterSeconds: Double?
    let priority = 1

    init(periodSeconds: Double) {
        self.periodSeconds = periodSeconds
        firstDueAfterSeconds = periodSeconds
    }

    func run(in context: RunContext) {
        let f = context.firmware, meter = context.meter
        let p = meter.closePeriod()
        context.write(EnergyLogRecord(boardSeconds: context.clock.now(), wallTime: UTCTimestamp.now(), kind: .period, inferences: p.inferences,
                                      energyJoules: p.joules, averagePowerWatts: p.averagePowerWatts, idlePowerWatts: p.idlePowerWatts,
                                      dieCelsius: context.lastCelsius, calibrationEpoch: f.calibrationEpoch,
                                      detections: context.periodDetections, keyword: context.lastKeyword, source: meter.source.rawValue))
        context.periodDetections = 0
        context.lastKeyword = ""
    }
}
