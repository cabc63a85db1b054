import BoardSupport
import Firmware
import Foundation

/// How `cimfw run` reports: a line per event as it happens, then a
/// summary — for people, or as JSON lines (one object per line, each with
/// an "event" key) for scripts.
final class RunOutput {
    let json: Bool
    let quiet: Bool

    init(json: Bool, quiet: Bool) {
        self.json = json
        self.quiet = quiet
    }

    private func emit(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
              let line = String(data: data, encoding: .utf8) else { return }
        out(line)
    }

    /// Straight to the descriptor, line by line: a pipe reader (a test, a
    /// log collector) sees each event as it happens, not when a buffer fills.
    private func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    func header(image: FirmwareImage, board: Board, audio: String, seed: UInt64?) {
        if json {
            guard !quiet else { return }
            emit(["event": "start", "firmware": image.manifest.name, "board": board.name, "audio": audio, "seed": seed.map { Int($0) } as Any])
        } else if !quiet {
            out("cimfw run: \(image.manifest.name) on \(board.name)\(seed.map { " (seed \($0))" } ?? ""), audio \(audio)")
        }
    }

    func event(_ event: KWSFirmware.Event) {
        guard !quiet else { return }
        switch event {
        case let .state(state, seconds, detail):
            if json { emit(["event": "state", "state": state.rawValue, "board_s": seconds, "detail": detail]) } else {
                out("[\(time(seconds))] \(state.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(detail)")
            }
        case .detection(let d):
            if json {
                emit(["event": "detection", "keyword": d.keyword, "confidence": rounded(d.confidence, 4), "stream_s": d.streamSeconds,
                      "board_s": d.boardSeconds, "latency_ms": rounded(d.latencySeconds * 1000, 3)])
            } else {
                out(String(format: "  %9.2f s  %-6@ %.2f   latency %.2f ms", d.streamSeconds, d.keyword as NSString, d.confidence, d.latencySeconds * 1000))
            }
        case .calibration(let c):
            if json {
                emit(["event": "calibration", "epoch": c.epoch, "reason": c.reason.rawValue, "board_s": c.boardSeconds,
                      "die_c": rounded(c.dieCelsius, 2), "duration_s": c.durationSeconds, "energy_j": c.energyJoules])
            } else {
                out("[\(time(c.boardSeconds))] calibrate  epoch \(c.epoch) (\(c.reason.rawValue)), die \(String(format: "%.1f", c.dieCelsius)) °C")
            }
        case .fault(let f):
            if json {
                emit(["event": "fault", "kind": f.kind.rawValue, "board_s": f.boardSeconds, "message": f.message, "action": f.action, "recovered": f.recovered])
            } else {
                out("[\(time(f.boardSeconds))] fault      \(f.kind.rawValue): \(f.message); \(f.action)")
            }
        case let .tileReprogrammed(tile, before, after, seconds):
            if json {
                emit(["event": "reprogram", "tile": tile, "error_before": before, "error_after": after, "board_s": seconds])
            } else {
                out("[\(time(seconds))] reprogram  tile \(tile): error \(String(format: "%.1f", before * 100))% → \(String(format: "%.1f", after * 100))%")
            }
        case .accuracy(let p):
            if json {
                emit(["event": "accuracy", "board_s": p.boardSeconds, "die_c": rounded(p.dieCelsius, 2), "epoch": p.calibrationEpoch,
                      "since_calibration_s": p.secondsSinceCalibration, "clips": p.clips, "correct": p.correct, "agreeing": p.agreeing])
            } else {
                out(String(format: "[%@] accuracy   %.1f%% of %d clips (%.1f%% agree with float), die %.1f °C, %.0f s since calibration",
                           time(p.boardSeconds) as NSString, p.accuracy * 100, p.clips, p.agreement * 100, p.dieCelsius, p.secondsSinceCalibration))
            }
        case .note(let text):
            if json { emit(["event": "note", "text": text]) } else { out("             \(text)") }
        }
    }

    func summary(_ s: RunSummary, score: StreamScore?) {
        if json {
            var object: [String: Any] = [
                "event": "summary", "board": s.board, "firmware": s.firmware, "board_s": s.boardSeconds, "host_s": s.hostSeconds,
                "inferences": s.inferences, "inferences_skipped": s.inferencesSkipped, "detections": s.detections, "detections_by_keyword": s.detectionsByKeyword,
                "energy_source": s.energySource, "calibrations": s.calibrations, "calibrations_by_reason": s.calibrationsByReason,
                "faults": s.faults, "faults_by_kind": s.faultsByKind, "deadline_misses": s.deadlineMisses,
                "tile_reprograms": s.tileReprograms, "redeployments": s.redeployments, "log_records": s.logRecords,
                "stop_reason": s.stopReason,
            ]
            let m = s.powerMonitor
            if m.samples > 0 {
                object["power_monitor"] = ["samples": m.samples, "retries_recovered": m.retriesRecovered, "samples_missed": m.samplesMissed,
                                           "drops": m.drops, "returns": m.returns, "away_s": m.awaySeconds]
            }
            if let seed = s.seed { object["seed"] = Int(seed) }
            if let e = s.energyPerInferenceMedianJoules { object["energy_per_inference_median_j"] = e }
            if let t = s.inferenceMedianSeconds { object["inference_median_s"] = t }
            if let l = s.medianLatencyMilliseconds { object["latency_median_ms"] = l }
            if let p = s.logPath { object["log"] = p }
            if let score {
                object["keywords"] = score.keywords
                object["keywords_found"] = score.found
                object["wrong_word"] = score.wrongWord
                object["false_alarms"] = score.falseAlarms
            }
            emit(object)
            return
        }
        out("summary (\(s.stopReason))")
        let clock = s.boardSeconds
        out("  run time       \(duration(clock)) on the board clock, \(duration(s.hostSeconds)) on this machine")
        out("  inferences     \(s.inferences)" + (s.medianLatencyMilliseconds.map { String(format: ", %.2f ms median latency", $0) } ?? "")
            + (s.inferencesSkipped > 0 ? "; \(s.inferencesSkipped) windows skipped after bus faults" : ""))
        let words = s.detectionsByKeyword.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { "\($0.key) \($0.value)" }
        out("  detections     \(s.detections)" + (words.isEmpty ? "" : " (" + words.joined(separator: ", ") + ")"))
        if let score {
            out("  keywords       \(score.found) of \(score.keywords) found (\(String(format: "%.1f", score.recall * 100))%), \(score.wrongWord) wrong word, \(score.falseAlarms) false alarms (stream labels)")
        }
        if let e = s.energyPerInferenceMedianJoules {
            out("  energy         \(engineering(e, "J")) per inference (median, \(s.energySource))")
        }
        let reasons = s.calibrationsByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        out("  calibrations   \(s.calibrations)" + (reasons.isEmpty ? "" : " (\(reasons))"))
        let kinds = s.faultsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        out("  faults         \(s.faults)" + (kinds.isEmpty ? "" : " (\(kinds))") + (s.tileReprograms > 0 ? "; \(s.tileReprograms) tile rewrites, \(s.redeployments) redeployments" : ""))
        let m = s.powerMonitor
        if m.samples > 0 {
            let present = clock > 0 ? 100 * (1 - m.awaySeconds / clock) : 100
            out("  power monitor  \(m.samples) samples, \(m.retriesRecovered) recovered by retry, \(m.samplesMissed) estimated, "
                + "\(m.drops) set aside, \(m.returns) back; present \(String(format: "%.3f", present))% of the run")
        }
        if let p = s.logPath { out("  energy log     \(p) (\(s.logRecords) records)") }
    }

    /// The accuracy probes as a table (a curve over temperature or time).
    func probes(_ probes: [AccuracyProbe]) {
        guard !json else { return }
        out("  accuracy probes (test set on the accelerator)")
        out("    board time     die °C   accuracy   agree w/ float   since calibration")
        for p in probes {
            out(String(format: "    %9.1f s   %6.1f   %6.1f%%      %6.1f%%        %8.0f s", p.boardSeconds, p.dieCelsius, p.accuracy * 100, p.agreement * 100, p.secondsSinceCalibration))
        }
    }

    /// Keyword recall per 10 °C band of die temperature (a thermal ramp).
    func byTemperature(_ score: StreamScore, celsius: (Double) -> Double) {
        var bands: [Int: (keywords: Int, found: Int)] = [:]
        for loop in score.loops {
            let band = Int((celsius((loop.startSeconds + loop.endSeconds) / 2) / 10).rounded(.down)) * 10
            bands[band, default: (0, 0)].keywords += loop.keywords
            bands[band, default: (0, 0)].found += loop.found
        }
        let sorted = bands.sorted { $0.key < $1.key }
        if json {
            emit(["event": "keywords_by_temperature", "bands": sorted.map { ["from_c": $0.key, "to_c": $0.key + 10, "keywords": $0.value.keywords, "found": $0.value.found] }])
            return
        }
        out("  by die temperature (keywords found)")
        for (band, v) in sorted {
            out(String(format: "    %3d–%3d °C   %5.1f%%  (%d of %d)", band, band + 10, 100 * Double(v.found) / Double(max(1, v.keywords)), v.found, v.keywords))
        }
    }

    func failure(_ message: String) {
        if json { emit(["event": "error", "message": message]) }
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
    }

    private func time(_ seconds: Double) -> String { String(format: "%10.3f s", seconds) }
    private func rounded(_ x: Double, _ digits: Int) -> Double { (x * pow(10, Double(digits))).rounded() / pow(10, Double(digits)) }
    private func duration(_ seconds: Double) -> String {
        if seconds >= 7200 { return String(format: "%.2f h", seconds / 3600) }
        if seconds >= 120 { return String(format: "%.1f min", seconds / 60) }
        return String(format: "%.2f s", seconds)
    }
}
