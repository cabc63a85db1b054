/// Every metrics period, and once more as the run ends: replaces the fleet
/// metrics file (Prometheus textfile format) with the run's counters and
/// gauges. A write that fails is a recorded fault; spotting goes on and the
/// next period tries again.
final class MetricsTask: FirmwareTask {
    let name = "metrics"
    let periodSeconds: Double
    let firstDueAfterSeconds: Double? = 0
    let priority = 0
    let path: String
    private unowned let inference: InferenceTask

    init(path: String, periodSeconds: Double, inference: InferenceTask) {
        self.path = path
        self.periodSeconds = periodSeconds
        self.inference = inference
    }

    func run(in context: RunContext) {
        let f = context.firmware, life = context.meter.lifetime
        var detections: [String: Int] = [:]
        for label in f.image.labels where !DetectionPolicy.fillerLabels.contains(label) { detections[label] = 0 }
        for (keyword, count) in inference.detectionsByKeyword { detections[keyword] = count }
        let metrics = FleetMetrics(
            board: f.devices.name, firmware: f.image.manifest.name, uptimeSeconds: context.clock.now() - context.startSeconds,
            inferences: inference.inferences, inferencesSkipped: inference.inferencesSkipped, detectionsByKeyword: detections,
            energyJoules: life.joules, energyPerInferenceJoules: life.inferences > 0 ? life.inferenceJoules / Double(life.inferences) : nil,
            averagePowerWatts: life.seconds > 0 ? life.averagePowerWatts : nil, dieCelsius: context.lastCelsius,
            calibrations: f.calibrationEpoch, faultsByKind: f.faultsByKind)
        do throws(LogError) { try metrics.write(to: path) } catch {
            f.record(.metricsWriteFailed, "\(error)", action: "spotting continues; the next period writes again", recovered: true)
        }
    }
}
