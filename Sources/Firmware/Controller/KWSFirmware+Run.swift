#if canImport(Glibc)
import Glibc
#endif
import CIMHAL
import Foundation
import KWS

extension KWSFirmware {
    /// Windows that fail in a row for this long of audio end the run.
    static let giveUpAfterSeconds = 10.0

    /// The run state: streams `audio` through the model every hop and keeps
    /// the board calibrated and logged until the audio ends, the duration
    /// passes, `shouldStop` says so (a signal) or a fault cannot be
    /// recovered. The log is flushed and closed in every case; a fault that
    /// stopped the run is thrown after that.
    public func run(audio: any AudioSource, shouldStop: @escaping () -> Bool) throws(FirmwareError) -> RunSummary {
        guard let meter, spotter != nil else { throw .failed(state: .run, message: "boot has not completed") }
        let m = image.manifest
        let clock = devices.clock
        let hopSeconds = options.hopSeconds ?? m.hopSeconds
        // A hop must advance at least one whole sample; the CLI holds users to the manifest's 10…1000 ms, while
        // tests and soak rigs may hop minutes of board time at once (capped at a day so the sample count stays an Int).
        guard hopSeconds.isFinite, hopSeconds * Double(audioSampleRateHertz) >= 1, hopSeconds <= 86400 else {
            throw .failed(state: .run, message: "hop \(hopSeconds) s: expected one sample (\(1 / Double(audioSampleRateHertz)) s) up to a day")
        }
        let window = SlidingWindow(windowSamples: m.inference.windowMilliseconds * audioSampleRateHertz / 1000,
                                   hopSamples: Int((hopSeconds * Double(audioSampleRateHertz)).rounded()))
        // Smoothing spans the same stretch of audio whatever the hop.
        let smoothingWindows = max(1, Int((Double(m.inference.smoothingWindows) * m.hopSeconds / hopSeconds).rounded()))
        let smoother = DetectionSmoother(labels: image.labels, policy: .init(
            threshold: m.inference.detectionThreshold, windows: smoothingWindows,
            refractorySeconds: Double(m.inference.refractoryMilliseconds) / 1000))
        let logPath = options.logPath ?? m.energyLog.path
        var log: CSVLogWriter?
        if options.logging {
            do {
                log = try CSVLogWriter(path: logPath, header: EnergyLogRecord.header, flushIntervalSeconds: m.energyLog.flushIntervalSeconds,
                                       rotateBytes: m.energyLog.rotateBytes, keepRotated: m.energyLog.keepRotated)
            } catch {
                throw .logPath("\(error)")
            }
            if let repaired = log?.repairedBytes, repaired > 0 {
                emit(.note("\(logPath): cut a torn last line of \(repaired) bytes (the previous run was interrupted)"))
            }
        }

        let start = clock.now()
        let hostStart = Watchdog.monotonicNanoseconds()
        let expected = options.durationSeconds.map { Int(min(2_000_000, $0 / hopSeconds)) + 16 } ?? 4096
        var energies: [Double] = []
        energies.reserveCapacity(expected)
        var inferenceSpans: [Double] = []
        inferenceSpans.reserveCapacity(expected)
        var latencies: [Double] = []
        latencies.reserveCapacity(expected)
        var probabilities = [Float](repeating: 0, count: image.kws.model.outputs)
        var inferences = 0
        var inferencesSkipped = 0
        var failedInARow = 0
        var detectionsByKeyword: [String: Int] = [:]
        var periodDetections = 0
        var lastKeyword = ""
        var stopReason: String?
        var failure: FirmwareError?
        var marker = devices.marker
        var lastCelsius = celsiusAtCalibration

        func wallTime() -> String { UTCTimestamp.now() }
        // A log that cannot be written for want of space is a recorded fault, not the end of the
        // run: rows stay queued (the oldest dropped beyond 1 MiB) and go out when space returns.
        var logStalled = false
        func write(_ record: EnergyLogRecord) {
            guard let log, failure == nil else { return }
            do throws(LogError) {
                try log.append(record, nowSeconds: clock.now())
                if logStalled {
                    logStalled = false
                    emit(.note("energy log: writing again; \(log.recordsDropped) records dropped while it could not"))
                }
            } catch {
                guard let code = error.errno, [ENOSPC, EDQUOT, EFBIG].contains(code) else {
                    failure = .log("\(error)")
                    return
                }
                if !logStalled {
                    logStalled = true
                    self.record(.logWriteFailed, "\(error)",
                           action: "rows kept in memory (the oldest dropped beyond 1 MiB); spotting continues, writing resumes when space returns",
                           recovered: true)
                }
            }
        }
        /// Runs `body`, turning an unrecoverable error into the run's failure.
        func guarded(_ body: () throws(FirmwareError) -> Void) {
            do { try body() } catch { failure = error }
        }

        enter(.run, "hop \(Int(hopSeconds * 1000)) ms, calibration every \(Int(m.calibration.periodSeconds)) s\(options.recalibration ? "" : " (recalibration off)")")
        let scheduler = Scheduler(clock: clock)

        // Inference: one hop of audio, one window through the model.
        scheduler.addTask("inference", periodSeconds: hopSeconds, priority: 3) { [self] in
            do {
                guard try window.advance(from: audio, shouldStop: shouldStop) else {
                    stopReason = shouldStop() ? "stopped by \(StopSignal.name ?? "request")" : "the audio ended"
                    return
                }
            } catch {
                failure = .audio("\(error)")
                return
            }
            guard window.isFull, let spotter else { return }
            let hostT0 = Watchdog.monotonicNanoseconds()
            meter.beginInference()
            try? marker?.set(.high)
            do throws(HALError) {
                try retry.run(clock: clock, onRetry: busRetried) { () throws(HALError) in
                    try classify(spotter, window.samples, into: &probabilities)
                }
            } catch {
                try? marker?.set(.low)
                meter.endInference()
                inferencesSkipped += 1
                failedInARow += 1
                // One window lost to a bad stretch of bus is a gap in the stream; a board that fails
                // every window for a whole stretch of audio is gone.
                guard BusRetry.isTransient(error), Double(failedInARow) * hopSeconds < Self.giveUpAfterSeconds else {
                    record(.busError, "\(error)", action: "inference abandoned after \(m.recovery.busRetries) retries", recovered: false)
                    failure = .failed(state: .run, message: "inference failed: \(error)")
                    return
                }
                record(.busError, "\(error)", action: "window skipped after \(m.recovery.busRetries) retries", recovered: true)
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
                let keyword = image.labels[decision.label]
                fired = keyword
                detectionsByKeyword[keyword, default: 0] += 1
                periodDetections += 1
                lastKeyword = keyword
                emit(.detection(Detection(keyword: keyword, confidence: decision.confidence, streamSeconds: window.endSeconds,
                                          boardSeconds: clock.now(), latencySeconds: latency)))
            }
            if m.energyLog.perInference {
                write(EnergyLogRecord(boardSeconds: clock.now(), wallTime: wallTime(), kind: .inference, inferences: 1,
                                      energyJoules: joules, averagePowerWatts: .nan, idlePowerWatts: nil, dieCelsius: lastCelsius,
                                      calibrationEpoch: calibrationEpoch, detections: fired.isEmpty ? 0 : 1, keyword: fired,
                                      source: meter.source.rawValue))
            }
        }

        // Periodic calibration, and the tile health check after it.
        let calibration = scheduler.addTask("calibration", periodSeconds: m.calibration.periodSeconds,
                                            firstDueSeconds: start + m.calibration.periodSeconds, priority: 4) { [self] in
            guard options.recalibration else { return }
            guarded { () throws(FirmwareError) in
                try calibrate(reason: pendingCalibrationReason ?? .period)
                pendingCalibrationReason = nil
                try checkTiles()
            }
        }

        // Temperature and reference-column drift: force a calibration when either moved.
        scheduler.addTask("monitor", periodSeconds: m.calibration.checkPeriodSeconds,
                          firstDueSeconds: start + m.calibration.checkPeriodSeconds, priority: 2) { [self] in
            do {
                lastCelsius = try retry.run(clock: clock, onRetry: busRetried) { () throws(HALError) in
                    try devices.accelerator.dieTemperatureCelsius()
                }
            } catch {
                record(.busError, "reading the die temperature: \(error)", action: "skipped this check", recovered: true)
                return
            }
            guard options.recalibration else { return }
            if abs(lastCelsius - celsiusAtCalibration) >= m.calibration.temperatureThresholdCelsius {
                pendingCalibrationReason = .temperature
                scheduler.trigger(calibration)
                return
            }
            if let drift = referenceDrift(), drift > m.calibration.referenceDriftThresholdRelative {
                pendingCalibrationReason = .referenceDrift
                scheduler.trigger(calibration)
            }
        }

        if let every = options.accuracyProbeSeconds {
            scheduler.addTask("accuracy-probe", periodSeconds: every, firstDueSeconds: start, priority: 0) { [self] in
                guarded { () throws(FirmwareError) in _ = try probeAccuracy() }
            }
        }

        // The period row of the energy log.
        func periodRow() {
            let p = meter.closePeriod()
            write(EnergyLogRecord(boardSeconds: clock.now(), wallTime: wallTime(), kind: .period, inferences: p.inferences,
                                  energyJoules: p.joules, averagePowerWatts: p.averagePowerWatts, idlePowerWatts: p.idlePowerWatts,
                                  dieCelsius: lastCelsius, calibrationEpoch: calibrationEpoch, detections: periodDetections,
                                  keyword: lastKeyword, source: meter.source.rawValue))
            periodDetections = 0
            lastKeyword = ""
        }
        scheduler.addTask("energy-log", periodSeconds: m.energyLog.periodSeconds,
                          firstDueSeconds: start + m.energyLog.periodSeconds, priority: 1) { periodRow() }

        // Watchdog: on the board clock after each task; a monitor thread on real time.
        let watchdog = Watchdog(timeoutSeconds: Double(m.watchdog.timeoutMilliseconds) / 1000)
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
        if !clock.isVirtual {
            watchdog.startMonitor { silent in
                FileHandle.standardError.write(Data("cimfw: watchdog: no task completed for \(String(format: "%.1f", silent)) s; exiting as a watchdog reset\n".utf8))
                exit(3)
            }
        }

        scheduler.run(untilSeconds: options.durationSeconds.map { start + $0 }) {
            shouldStop() || stopReason != nil || failure != nil
        }
        watchdog.stopMonitor()
        if stopReason == nil && failure == nil {
            stopReason = shouldStop() ? "stopped by \(StopSignal.name ?? "request")" : "duration reached"
        }
        periodRow()
        var logRecords = 0
        if let log {
            do { try log.close() } catch { failure = failure ?? .log("\(error)") }
            logRecords = log.recordsFlushed
        }
        enter(failure == nil ? .stopped : .fault, stopReason ?? "\(failure.map { "\($0)" } ?? "")")
        if let failure { throw failure }

        let sorted = energies.sorted()
        let sortedLatency = latencies.sorted()
        let boardSeconds = clock.now() - start
        let scheduled = scheduler.tasks.reduce(0) { $0 + $1.deadlineMisses }
        return RunSummary(
            board: devices.name, firmware: image.directory.path, seed: options.seed,
            boardSeconds: boardSeconds, hostSeconds: Double(Watchdog.monotonicNanoseconds() - hostStart) * 1e-9,
            streamSeconds: window.endSeconds,
            inferences: inferences, inferencesSkipped: inferencesSkipped, detections: detectionsByKeyword.values.reduce(0, +), detectionsByKeyword: detectionsByKeyword,
            energyPerInferenceMedianJoules: sorted.isEmpty ? nil : sorted[sorted.count / 2],
            inferenceMedianSeconds: inferenceSpans.isEmpty ? nil : inferenceSpans.sorted()[inferenceSpans.count / 2],
            energySource: meter.source.rawValue, powerMonitor: meter.counts, averagePowerWatts: nil,
            calibrations: calibrationEpoch, calibrationsByReason: calibrationsByReason,
            faults: faultsByKind.values.reduce(0, +), faultsByKind: faultsByKind, deadlineMisses: scheduled,
            tileReprograms: tileReprograms, redeployments: redeployments,
            logPath: options.logging ? logPath : nil, logRecords: logRecords, stopReason: stopReason ?? "",
            medianLatencyMilliseconds: sortedLatency.isEmpty ? nil : sortedLatency[sortedLatency.count / 2] * 1000)
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
