import CIMHAL
import Foundation
import KWS

/// The keyword-spotting firmware: boot (self-test, program with
/// write-verify, verify against the float model, calibrate), then a
/// cooperative loop of periodic tasks on the board's clock — inference on
/// the audio stream, column calibration (periodic, and forced by a
/// temperature change or reference-column drift), tile health, and the
/// energy log — with recovery from faults and a watchdog.
///
/// It depends on the HAL protocols and a `BoardClock` only: the same code
/// runs a simulated board on a virtual clock (a day in about a minute) and
/// a real board on the monotonic clock.
public final class KWSFirmware {
    public struct Options: Sendable {
        /// Periodic and triggered recalibration (off: the board keeps its boot calibration).
        public var recalibration = true
        /// Stop after this much board time; nil runs until the audio ends or a signal.
        public var durationSeconds: Double?
        /// Overrides the manifest's hop (the 24-hour benchmark runs one inference a second).
        public var hopSeconds: Double?
        /// Overrides the manifest's energy-log path; nil with `logging` false writes no log.
        public var logPath: String?
        public var logging = true
        /// The run's seed, for the summary (the board file already took it).
        public var seed: UInt64?
        /// Classify the image's test set this often (board seconds) and report it.
        public var accuracyProbeSeconds: Double?
        /// Fleet metrics (Prometheus textfile format) replaced at this path every
        /// `metricsPeriodSeconds` of board time and as the run ends; nil: none.
        public var metricsTextfilePath: String?
        public var metricsPeriodSeconds = 15.0
        /// Called on the watchdog's monitor thread (real clocks only) when no
        /// task has completed within the watchdog's timeout, with the seconds
        /// of silence: the process decides what a reset is (the CLI exits
        /// with status 3). nil: no monitor thread.
        public var onWatchdogExpiry: (@Sendable (Double) -> Void)?
        public init() {}
    }

    public enum Event: Sendable {
        case state(FirmwareState, boardSeconds: Double, detail: String)
        case detection(Detection)
        case calibration(CalibrationRecord)
        case fault(FaultRecord)
        case tileReprogrammed(tile: Int, errorBefore: Double, errorAfter: Double, boardSeconds: Double)
        case accuracy(AccuracyProbe)
        case note(String)
    }

    public let image: FirmwareImage
    public private(set) var devices: BoardDevices
    public let options: Options
    public private(set) var state: FirmwareState = .boot
    let emit: (Event) -> Void

    var deployment: ModelDeployment?
    var spotter: KeywordSpotter?
    var meter: EnergyMeter?
    let retry: BusRetry
    var calibrationEpoch = 0
    /// Per tile, the column gains the last full calibration set: reference-column
    /// tracking scales them, and how far it has scaled them is the drift.
    var fullCalibrationGain: [Int: Double] = [:]
    /// Why the next calibration runs, when something other than the period forced it.
    var pendingCalibrationReason: CalibrationReason?
    /// False once the accelerator says it has no reference column.
    var trackReferenceColumns = true
    var celsiusAtCalibration = 25.0
    var secondsAtCalibration = 0.0
    /// The float model's class for each test clip, computed once for probes.
    var floatClasses: [Int]?
    var baselineTileError: [Int: Double] = [:]
    var reprogramTimes: [Double] = []

    // Counters for the summary.
    var calibrationsByReason: [String: Int] = [:]
    var faultsByKind: [String: Int] = [:]
    var tileReprograms = 0
    var redeployments = 0

    public init(image: FirmwareImage, devices: BoardDevices, options: Options = Options(),
                events: @escaping (Event) -> Void = { _ in }) {
        self.image = image
        self.devices = devices
        self.options = options
        emit = events
        let r = image.manifest.recovery
        retry = BusRetry(attempts: r.busRetries + 1, initialBackoffSeconds: Double(r.backoffInitialMilliseconds) / 1000,
                         maxBackoffSeconds: Double(r.backoffMaxMilliseconds) / 1000)
    }

    public var calibrations: Int { calibrationEpoch }
    public var runtime: AcceleratorRuntime? { deployment?.runtime }

    // MARK: Boot

    /// boot → self-test → program → verify → calibrate. Throws when a step
    /// fails beyond what retries and one redeployment can fix.
    public func boot() throws(FirmwareError) {
        enter(.boot, "\(image.manifest.name) on \(devices.name)")
        enter(.selfTest, "probing every device in the board file")
        try selfTest()
        enter(.program, "fault scan, placement, write-verify")
        try program()
        enter(.verify, "\(image.verifyFeatures.count) clips through the accelerator and the float model")
        do {
            try verify()
        } catch {
            // One more chance: a fresh deployment (new scan, new placement).
            record(.verification, "\(error)", action: "reprogramming every tile", recovered: false)
            enter(.program, "again, after a failed verify")
            try program()
            redeployments += 1
            enter(.verify, "after reprogramming")
            try verify()
        }
        enter(.calibrate, "every tile, \(devices.calibrationMethod)")
        try calibrate(reason: .boot)
        baselineTileError = try measureTileHealth()
    }

    func selfTest() throws(FirmwareError) {
        let lines: [String]
        do {
            lines = try retry.run(clock: devices.clock, onRetry: busRetried) { () throws(HALError) in
                guard let test = devices.capability(SelfTest.self) else { return [] }
                return try test.selfTest()
            }
        } catch {
            throw .failed(state: .selfTest, message: "\(error)")
        }
        for line in lines { emit(.note(line)) }
        do {
            let celsius = try retry.run(clock: devices.clock, onRetry: busRetried) { () throws(HALError) in
                try devices.accelerator.dieTemperatureCelsius()
            }
            emit(.note("accelerator: \(devices.accelerator.geometry.tiles) tiles of \(devices.accelerator.geometry.rows)x\(devices.accelerator.geometry.columns), die at \(String(format: "%.1f", celsius)) °C"))
        } catch {
            throw .failed(state: .selfTest, message: "the accelerator does not answer: \(error)")
        }
        // The monitor is read with the bus's retries, set aside after three
        // failed samples in a row and re-probed every 2 s (a few transactions): one NACK never
        // ends its readings, and a monitor that stops answering comes back.
        let policy = MonitorPolicy(retry: retry, dropAfterFailures: 3, reprobeSeconds: 2)
        do {
            meter = try EnergyMeter(monitor: devices.measuringPowerMonitors.first, energyModelJoules: energyModelJoules,
                                    clock: devices.clock, policy: policy) { [weak self] event in self?.monitorEvent(event) }
        } catch {
            throw .failed(state: .selfTest, message: "\(error)")
        }
    }

    /// The energy model's running total, on boards that have one (simulated
    /// boards, and the model behind an emulated eval board).
    var energyModelJoules: (() -> Double)? {
        guard let account = devices.capability(EnergyAccount.self) else { return nil }
        return { account.energyTotals.boardJoules }
    }

    func monitorEvent(_ event: EnergyMeter.Event) {
        let fallback = energyModelJoules != nil ? "the energy model" : "the last good reading"
        switch event {
        case let .retried(error, attempt):
            busRetried(error, attempt)
        case let .sampleMissed(error):
            record(.powerMonitorLost, "\(error)", action: "one sample estimated from \(fallback)", recovered: true)
        case let .dropped(error):
            record(.powerMonitorLost, "\(error)", action: "monitor set aside after 3 failed samples; energy from \(fallback), re-probed every 2 s", recovered: true)
        case .returned:
            emit(.note("power monitor answers again: energy from the monitor"))
        }
    }

    func program() throws(FirmwareError) {
        let model = image.kws.model
        let d = devices
        // Compile errors are not worth a retry; the bus errors under a deployment are.
        func deployOnce() throws(HALError) -> ModelDeployment {
            let result: Result<ModelDeployment, ModelDeployment.Failure>
            do { result = .success(try ModelDeployment.deploy(model, on: d.accelerator, policy: d.programmingPolicy, calibration: nil)) } catch { result = .failure(error) }
            switch result {
            case .success(let deployment): return deployment
            case .failure(.hardware(let e)): throw e
            case .failure(.compile(let e)): throw .invalidArgument("\(e)")
            }
        }
        do {
            deployment = try retry.run(clock: devices.clock, onRetry: busRetried) { () throws(HALError) in try deployOnce() }
        } catch {
            throw .failed(state: .program, message: "\(error)")
        }
        guard let runtime = deployment?.runtime else { return }
        do {
            spotter = try KeywordSpotter(backend: .accelerator(runtime), normalisation: image.kws.normalisation)
        } catch {
            throw .failed(state: .program, message: "\(error)")
        }
        if let reports = deployment?.runtime.programming {
            let pulses = reports.reduce(0) { $0 + $1.totalPulses }
            let rms = reports.map(\.rmsErrorRelative).max() ?? 0
            emit(.note("programmed \(reports.count) tiles: \(pulses) pulses, worst RMS error \(String(format: "%.2f", rms * 100))% of range"))
        }
    }

    /// The accelerator must give the float model's class on enough verify clips.
    func verify() throws(FirmwareError) {
        guard let spotter, !image.verifyFeatures.isEmpty else { return }
        let reference = FloatRuntime(model: image.kws.model)
        var p = [Float](repeating: 0, count: image.kws.model.outputs)
        var q = p
        var disagreements = 0
        for features in image.verifyFeatures {
            do {
                try features.withUnsafeBufferPointer { (f) throws(KeywordSpotter.Failure) in
                    try p.withUnsafeMutableBufferPointer { (out) throws(KeywordSpotter.Failure) in try spotter.classify(features: f, into: out) }
                }
                try features.withUnsafeBufferPointer { (f) throws(ModelError) in
                    try q.withUnsafeMutableBufferPointer { (out) throws(ModelError) in try reference.classify(f, into: out) }
                }
            } catch {
                throw .failed(state: .verify, message: "\(error)")
            }
            if argmax(p) != argmax(q) { disagreements += 1 }
        }
        let fraction = Double(disagreements) / Double(image.verifyFeatures.count)
        emit(.note("verify: the accelerator agrees with the float model on \(image.verifyFeatures.count - disagreements) of \(image.verifyFeatures.count) clips"))
        guard fraction <= image.manifest.verify.maxDisagreementFraction else {
            throw .failed(state: .verify, message: "the accelerator disagrees with the float model on \(disagreements) of \(image.verifyFeatures.count) clips; at most \(Int(image.manifest.verify.maxDisagreementFraction * 100))% may differ")
        }
    }

    // MARK: Calibration and tile health

    func calibrate(reason: CalibrationReason) throws(FirmwareError) {
        guard let runtime = deployment?.runtime else { return }
        let start = devices.clock.now()
        let results: [ColumnCalibration]
        let celsius: Double
        do {
            results = try retry.run(clock: devices.clock, onRetry: busRetried) { () throws(HALError) in
                try runtime.calibrate(method: devices.calibrationMethod)
            }
            celsius = try retry.run(clock: devices.clock, onRetry: busRetried) { () throws(HALError) in
                try devices.accelerator.dieTemperatureCelsius()
            }
        } catch {
            throw .failed(state: .calibrate, message: "\(error)")
        }
        calibrationEpoch += 1
        celsiusAtCalibration = celsius
        secondsAtCalibration = devices.clock.now()
        for r in results { fullCalibrationGain[r.tile] = meanGain(r) }
        calibrationsByReason[reason.rawValue, default: 0] += 1
        emit(.calibration(CalibrationRecord(epoch: calibrationEpoch, reason: reason, boardSeconds: devices.clock.now(),
                                            dieCelsius: celsius, durationSeconds: devices.clock.now() - start,
                                            energyJoules: results.reduce(0) { $0 + $1.energyJoules })))
    }

    func measureTileHealth() throws(FirmwareError) -> [Int: Double] {
        guard let runtime = deployment?.runtime else { return [:] }
        do {
            let health = try retry.run(clock: devices.clock, onRetry: busRetried) { () throws(HALError) in try runtime.tileHealth() }
            return Dictionary(uniqueKeysWithValues: health.map { ($0.tile, $0.errorRelative) })
        } catch {
            throw .failed(state: .calibrate, message: "tile health check: \(error)")
        }
    }

    /// Checks every tile against its error bound; rewrites a tile that has
    /// moved past it, and redeploys (new stuck-cell scan and placement)
    /// when rewriting does not bring it back.
    func checkTiles() throws(FirmwareError) {
        guard let runtime = deployment?.runtime else { return }
        let bound = image.manifest.verify.tileErrorBoundRelative
        let now = devices.clock.now()
        for (tile, error) in try measureTileHealth().sorted(by: { $0.key < $1.key }) {
            let limit = (baselineTileError[tile] ?? 0) + bound
            guard error > limit else { continue }
            reprogramTimes = reprogramTimes.filter { now - $0 < 3600 }
            guard reprogramTimes.count < image.manifest.recovery.maxReprogramsPerHour else {
                record(.tileError, "tile \(tile) error \(percent(error)) exceeds its bound \(percent(limit))",
                       action: "none: \(image.manifest.recovery.maxReprogramsPerHour) reprograms in the last hour already", recovered: false)
                continue
            }
            reprogramTimes.append(now)
            enter(.fault, "tile \(tile) error \(percent(error)) > \(percent(limit))")
            do {
                _ = try retry.run(clock: devices.clock, onRetry: busRetried) { () throws(HALError) in
                    try runtime.reprogram(tile: tile, policy: devices.programmingPolicy)
                }
            } catch {
                throw .failed(state: .fault, message: "reprogramming tile \(tile): \(error)")
            }
            tileReprograms += 1
            try calibrate(reason: .reprogram)
            var after = try measureTileHealth()[tile] ?? error
            var action = "tile \(tile) rewritten and recalibrated"
            if after > limit {
                // Rewriting cannot move a stuck cell: place the model around the new faults.
                try redeploy()
                after = baselineTileError[tile] ?? after
                action = "tile \(tile) rewritten, still \(percent(after)); redeployed with a fresh stuck-cell scan"
            }
            emit(.tileReprogrammed(tile: tile, errorBefore: error, errorAfter: after, boardSeconds: devices.clock.now()))
            record(.tileError, "tile \(tile) error \(percent(error)) exceeded its bound \(percent(limit))", action: action, recovered: true)
            enter(.run, "recovered")
        }
    }

    /// A fresh deployment: scan, place, program, verify, calibrate.
    func redeploy() throws(FirmwareError) {
        redeployments += 1
        enter(.program, "redeploying")
        try program()
        enter(.verify, "after redeploying")
        try verify()
        enter(.calibrate, "after redeploying")
        try calibrate(reason: .reprogram)
        baselineTileError = try measureTileHealth()
    }

    // MARK: Accuracy probe

    /// Classifies the image's test set on the accelerator as it is now.
    public func probeAccuracy() throws(FirmwareError) -> AccuracyProbe? {
        guard let set = image.testSet, let spotter else { return nil }
        if floatClasses == nil {
            let reference = FloatRuntime(model: image.kws.model)
            var q = [Float](repeating: 0, count: image.kws.model.outputs)
            var classes: [Int] = []
            for clip in set.clips {
                do {
                    try clip.features.withUnsafeBufferPointer { (f) throws(ModelError) in
                        try q.withUnsafeMutableBufferPointer { (out) throws(ModelError) in try reference.classify(f, into: out) }
                    }
                } catch {
                    throw .failed(state: .run, message: "accuracy probe (float): \(error)")
                }
                classes.append(argmax(q))
            }
            floatClasses = classes
        }
        let predicted: [Int]
        do {
            predicted = try retry.run(clock: devices.clock, onRetry: busRetried) { () throws(HALError) in
                let result: Result<[Int], KeywordSpotter.Failure>
                do throws(KeywordSpotter.Failure) { result = .success(try spotter.predictions(set)) } catch { result = .failure(error) }
                switch result {
                case .success(let p): return p
                case .failure(.hardware(let e)): throw e
                case .failure(let other): throw .invalidArgument("\(other)")
                }
            }
        } catch {
            throw .failed(state: .run, message: "accuracy probe: \(error)")
        }
        let celsius = (try? devices.accelerator.dieTemperatureCelsius()) ?? .nan
        let correct = zip(predicted, set.clips).filter { $0 == $1.classIndex }.count
        let agreeing = zip(predicted, floatClasses ?? []).filter { $0 == $1 }.count
        let now = devices.clock.now()
        let probe = AccuracyProbe(boardSeconds: now, dieCelsius: celsius, calibrationEpoch: calibrationEpoch,
                                  secondsSinceCalibration: now - secondsAtCalibration, clips: set.clips.count,
                                  correct: correct, agreeing: agreeing)
        emit(.accuracy(probe))
        return probe
    }

    // MARK: Helpers

    func enter(_ next: FirmwareState, _ detail: String) {
        state = next
        emit(.state(next, boardSeconds: devices.clock.now(), detail: detail))
    }

    func busRetried(_ error: HALError, _ attempt: Int) {
        record(.busError, "\(error)", action: "retry \(attempt) after backoff", recovered: true)
    }

    func record(_ kind: FaultKind, _ message: String, action: String, recovered: Bool) {
        faultsByKind[kind.rawValue, default: 0] += 1
        emit(.fault(FaultRecord(kind: kind, boardSeconds: devices.clock.now(), message: message, action: action, recovered: recovered)))
    }

    func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
}

func meanGain(_ c: ColumnCalibration) -> Double { c.gain.isEmpty ? 1 : c.gain.reduce(0, +) / Double(c.gain.count) }

func argmax(_ p: [Float]) -> Int { p.indices.max { p[$0] < p[$1] } ?? 0 }
