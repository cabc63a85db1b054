import CIMHAL
import KWS

/// Every hop: one hop of audio into the sliding window, one window through
/// the model on the accelerator (bus errors retried), the detector, and a
/// log row per inference when the image asks for one. Keeps the run's
/// inference statistics; its buffers are sized before the run, so a hop
/// allocates nothing.
final class InferenceTask: FirmwareTask {
    /// Windows that fail in a row for this long of audio end the run.
    static let giveUpAfterSeconds = 10.0

    let name = "inference"
    let periodSeconds: Double
    let firstDueAfterSeconds: Double? = nil
    let priority = 3

    private let audio: any AudioSource
    private let spotter: KeywordSpotter
    let window: SlidingWindow
    private let smoother: DetectionSmoother
    private var marker: (any GPIOOutputLine)?
    private var probabilities: [Float]
    private var failedInARow = 0

    private(set) var inferences = 0
    private(set) var inferencesSkipped = 0
    private(set) var energies: [Double] = []
    private(set) var inferenceSpans: [Double] = []
    private(set) var latencies: [Double] = []
    private(set) var detectionsByKeyword: [String: Int] = [:]

    init(firmware f: KWSFirmware, spotter: KeywordSpotter, audio: any AudioSource, hopSeconds: Double, expectedInferences: Int) {
        let m = f.image.manifest
        self.audio = audio
        self.spotter = spotter
        periodSeconds = hopSeconds
        window = SlidingWindow(windowSamples: m.inference.windowMilliseconds * audioSampleRateHertz / 1000,
                               hopSamples: Int((hopSeconds * Double(audioSampleRateHertz)).rounded()))
        // Smoothing spans the same stretch of audio whatever the hop.
        let smoothingWindows = max(1, Int((Double(m.inference.smoothingWindows) * m.hopSeconds / hopSeconds).rounded()))
        smoother = DetectionSmoother(labels: f.image.labels, policy: .init(
            threshold: m.inference.detectionThreshold, windows: smoothingWindows,
            refractorySeconds: Double(m.inference.refractoryMilliseconds) / 1000))
        marker = f.devices.marker
        probabilities = [Float](repeating: 0, count: f.image.kws.model.outputs)
        energies.reserveCapacity(expectedInferences)
        inferenceSpans.reserveCapacity(expectedInferences)
        latencies.reserveCapacity(expectedInferences)
    }

    func run(in context: RunContext) {
        let f = context.firmware, meter = context.meter, clock = context.clock
        do {
            guard try window.advance(from: audio, shouldStop: context.shouldStop) else {
                context.stop(context.shouldStop() ? "stopped by \(StopSignal.name ?? "request")" : "the audio ended")
                return
            }
        } catch {
            context.fail(.audio("\(error)"))
            return
        }
        guard window.isFull else { return }
        let hostT0 = Watchdog.monotonicNanoseconds()
        meter.beginInference()
        try? marker?.set(.high)
        do throws(HALError) {
            try f.retry.run(clock: clock, onRetry: f.busRetried) { () throws(HALError) in
                try f.classify(spotter, window.samples, into: &probabilities)
            }
        } catch {
            try? marker?.set(.low)
            meter.endInference()
            inferencesSkipped += 1
            failedInARow += 1
            // One window lost to a bad stretch of bus is a gap in the stream; a board that fails
            // every window for a whole stretch of audio is gone.
            guard BusRetry.isTransient(error), Double(failedInARow) * periodSeconds < Self.giveUpAfterSeconds else {
                f.record(.busError, "\(error)", action: "inference abandoned after \(f.image.manifest.recovery.busRetries) retries", recovered: false)
                context.fail(.failed(state: .run, message: "inference failed: \(error)"))
                return
            }
            f.record(.busError, "\(error)", action: "window skipped after \(f.image.manifest.recovery.busRetries) retries", recovered: true)
            return
        }
        failedInARow = 0
        try? marker?.set(.low)
        let joules = meter.endInference()
        let latency = Double(Watchdog.monotonicNanoseconds() - hostT0) * 1e-9
        inferences += 1
        energies.append(joules)
        inferenceSpans.append(meter.lastInferenceSeconds)
        latencies.append(latency)
        var fired = ""
        let decision = probabilities.withUnsafeBufferPointer { smoother.push($0, streamSeconds: window.endSeconds) }
        if let decision {
            let keyword = f.image.labels[decision.label]
            fired = keyword
            detectionsByKeyword[keyword, default: 0] += 1
            context.periodDetections += 1
            context.lastKeyword = keyword
            f.emit(.detection(Detection(keyword: keyword, confidence: decision.confidence, streamSeconds: window.endSeconds,
                                        boardSeconds: clock.now(), latencySeconds: latency)))
        }
        if f.image.manifest.energyLog.perInference {
            context.write(EnergyLogRecord(boardSeconds: clock.now(), wallTime: UTCTimestamp.now(), kind: .inference, inferences: 1,
                                          energyJoules: joules, averagePowerWatts: .nan, idlePowerWatts: nil, dieCelsius: context.lastCelsius,
                                          calibrationEpoch: f.calibrationEpoch, detections: fired.isEmpty ? 0 : 1, keyword: fired,
                                          source: meter.source.rawValue))
        }
    }
}
