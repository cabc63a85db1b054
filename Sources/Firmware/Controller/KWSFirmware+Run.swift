import CIMHAL
import Foundation
import KWS

extension KWSFirmware {
    /// The run state: streams `audio` through the model every hop and keeps
    /// the board calibrated and logged until the audio ends, the duration
    /// passes, `shouldStop` says so (a signal) or a fault cannot be
    /// recovered. The log is flushed and closed in every case; a fault that
    /// stopped the run is thrown after that. The work is done by the tasks
    /// in `Sources/Firmware/Tasks`, on one `Scheduler`.
    public func run(audio: any AudioSource, shouldStop: @escaping () -> Bool) throws(FirmwareError) -> RunSummary {
        guard let meter, let spotter else { throw .failed(state: .run, message: "boot has not completed") }
        let m = image.manifest
        let hopSeconds = options.hopSeconds ?? m.hopSeconds
        // A hop must advance at least one whole sample; the CLI holds users to the manifest's 10…1000 ms, while
        // tests and soak rigs may hop minutes of board time at once (capped at a day so the sample count stays an Int).
        guard hopSeconds.isFinite, hopSeconds * Double(audioSampleRateHertz) >= 1, hopSeconds <= 86400 else {
            throw .failed(state: .run, message: "hop \(hopSeconds) s: expected one sample (\(1 / Double(audioSampleRateHertz)) s) up to a day")
        }
        let logPath = options.logPath ?? m.energyLog.path
        let log = try openLog(at: logPath)

        let context = RunContext(firmware: self, meter: meter, log: log, hopSeconds: hopSeconds, shouldStop: shouldStop)
        let hostStart = Watchdog.monotonicNanoseconds()
        let expected = options.durationSeconds.map { Int(min(2_000_000, $0 / hopSeconds)) + 16 } ?? 4096
        let inference = InferenceTask(firmware: self, spotter: spotter, audio: audio, hopSeconds: hopSeconds, expectedInferences: expected)
        let energyLog = EnergyLogTask(periodSeconds: m.energyLog.periodSeconds)

        enter(.run, "hop \(Int(hopSeconds * 1000)) ms, calibration every \(Int(m.calibration.periodSeconds)) s\(options.recalibration ? "" : " (recalibration off)")")
        let scheduler = context.scheduler
        scheduler.add(inference, in: context)
        let calibration = scheduler.add(CalibrationTask(periodSeconds: m.calibration.periodSeconds), in: context)
        scheduler.add(MonitorTask(periodSeconds: m.calibration.checkPeriodSeconds, calibration: calibration), in: context)
        if let every = options.accuracyProbeSeconds {
            scheduler.add(AccuracyProbeTask(periodSeconds: every), in: context)
        }
        scheduler.add(energyLog, in: context)
        let metrics = options.metricsTextfilePath.map { MetricsTask(path: $0, periodSeconds: options.metricsPeriodSeconds, inference: inference) }
        if let metrics { scheduler.add(metrics, in: context) }

        let watchdog = startWatchdog(on: scheduler)
        scheduler.run(untilSeconds: options.durationSeconds.map { context.startSeconds + $0 }) { context.isOver }
        watchdog.stopMonitor()
        let stopReason = context.finalStopReason()
        energyLog.run(in: context)
        metrics?.run(in: context)
        var logRecords = 0
        if let log {
            do { try log.writer.close() } catch { context.fail(.log("\(error)")) }
            logRecords = log.writer.recordsFlushed
        }
        let failure = context.failure
        enter(failure == nil ? .stopped : .fault, stopReason.isEmpty ? "\(failure.map { "\($0)" } ?? "")" : stopReason)
        if let failure { throw failure }

        let sorted = inference.energies.sorted()
        let sortedLatency = inference.latencies.sorted()
        let spans = inference.inferenceSpans
        return RunSummary(
            board: devices.name, firmware: image.directory.path, seed: options.seed,
            boardSeconds: context.clock.now() - context.startSeconds, hostSeconds: Double(Watchdog.monotonicNanoseconds() - hostStart) * 1e-9,
            streamSeconds: inference.window.endSeconds,
            inferences: inference.inferences, inferencesSkipped: inference.inferencesSkipped,
            detections: inference.detectionsByKeyword.values.reduce(0, +), detectionsByKeyword: inference.detectionsByKeyword,
            energyPerInferenceMedianJoules: sorted.isEmpty ? nil : sorted[sorted.count / 2],
            inferenceMedianSeconds: spans.isEmpty ? nil : spans.sorted()[spans.count / 2],
            energySource: meter.source.rawValue, powerMonitor: meter.counts, averagePowerWatts: nil,
            calibrations: calibrationEpoch, calibrationsByReason: calibrationsByReason,
            faults: faultsByKind.values.reduce(0, +), faultsByKind: faultsByKind,
            deadlineMisses: scheduler.tasks.reduce(0) { $0 + $1.deadlineMisses },
            tileReprograms: tileReprograms, redeployments: redeployments,
            logPath: options.logging ? logPath : nil, logRecords: logRecords, stopReason: stopReason,
            medianLatencyMilliseconds: sortedLatency.isEmpty ? nil : sortedLatency[sortedLatency.count / 2] * 1000)
    }

    /// The energy log, when logging is on: opened (a torn last line from an
    /// interrupted run repaired) before any task runs.
    private func openLog(at path: String) throws(FirmwareError) -> EnergyLogSink? {
        guard options.logging else { return nil }
        let m = image.manifest
        let writer: any EnergyLogDestination
        do throws(LogError) {
            switch EnergyLogFormat(path: path) {
            case .sqlite:
                writer = try EnergyLogStore(path: path, commitIntervalSeconds: m.energyLog.flushIntervalSeconds, maxBytes: m.energyLog.rotateBytes)
            case .csv:
                let csv = try CSVLogWriter(path: path, header: EnergyLogRecord.header, flushIntervalSeconds: m.energyLog.flushIntervalSeconds,
                                           rotateBytes: m.energyLog.rotateBytes, keepRotated: m.energyLog.keepRotated)
                if csv.repairedBytes > 0 {
                    emit(.note("\(path): cut a torn last line of \(csv.repairedBytes) bytes (the previous run was interrupted)"))
                }
                writer = csv
            }
        } catch {
            throw .logPath("\(error)")
        }
        return EnergyLogSink(writer: writer, firmware: self)
    }

    /// The watchdog: kicked on the board clock after each task (an overlong
    /// task is a recorded fault), and on a real clock a monitor thread that
    /// calls `options.onWatchdogExpiry` when no task completes in time.
    private func startWatchdog(on scheduler: Scheduler) -> Watchdog {
        let watchdog = Watchdog(timeoutSeconds: Double(image.manifest.watchdog.timeoutMilliseconds) / 1000)
        scheduler.afterEachTask = { [self] name, runSeconds in
            watchdog.kick()
            if watchdog.expired(runSeconds: runSeconds) {
                record(.watchdog, "task \(name) ran \(String(format: "%.3f", runSeconds)) s; the limit is \(watchdog.timeoutSeconds) s",
                       action: "logged; the loop continues", recovered: true)
            }
        }
        scheduler.onOverrun = { [self] overrun in
            record(.deadlineMissed, "task \(overrun.task) finished \(String(format: "%.1f", (overrun.finishedSeconds - overrun.dueSeconds) * 1000)) ms after it was due (deadline \(String(format: "%.1f", overrun.deadlineSeconds * 1000)) ms)",
                   action: "next run skips the periods it fell behind", recovered: true)
        }
        if !devices.clock.isVirtual, let onExpiry = options.onWatchdogExpiry {
            watchdog.startMonitor(onExpiry: onExpiry)
        }
        return watchdog
    }

    /// How far reference-column tracking has moved the gains since the last
    /// full calibration (the largest over tiles), or nil when the board
    /// cannot track (no reference column).
    func referenceDrift() -> Double? {
        guard trackReferenceColumns, let runtime = deployment?.runtime else { return nil }
        var worst = 0.0
        for piece in runtime.compiled.pieces {
            do {
                let c = try devices.accelerator.calibrate(tile: piece.tile, method: .referenceColumn)
                if let full = fullCalibrationGain[piece.tile], full != 0 {
                    worst = max(worst, abs(meanGain(c) / full - 1))
                }
            } catch {
                if case .unsupported = error { trackReferenceColumns = false; return nil }
                record(.busError, "reference column of tile \(piece.tile): \(error)", action: "skipped this check", recovered: true)
                return nil
            }
        }
        return worst
    }

    /// One inference; a hardware error comes back as the HAL error a retry understands.
    func classify(_ spotter: KeywordSpotter, _ samples: UnsafeBufferPointer<Float>, into probabilities: inout [Float]) throws(HALError) {
        let result: Result<Void, KeywordSpotter.Failure> = probabilities.withUnsafeMutableBufferPointer { p in
            do throws(KeywordSpotter.Failure) { try spotter.classify(samples: samples, into: p); return .success(()) } catch { return .failure(error) }
        }
        switch result {
        case .success: return
        case .failure(.hardware(let e)): throw e
        case .failure(let other): throw .invalidArgument("\(other)")
        }
    }
}
