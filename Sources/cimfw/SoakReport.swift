import BoardSupport
import CIMDrivers
import CIMEmulation
import Firmware
import Foundation

/// What a soak measured, and whether it meets the reliability target.
struct SoakReport {
    /// The target: nothing wrong accepted, at most 1 in 1000 inferences
    /// lost, the power monitor away at most 0.1% of the time.
    static let minimumCompletedShare = 0.999
    static let minimumMonitorShare = 0.999

    let board: HardwareBoardConfiguration
    let duration: TimeSpan
    let hop: TimeSpan
    /// The model's window, seconds: the first inference needs a full one.
    let window: Double
    let summary: RunSummary?
    let failure: String?
    let transactions: Int
    let injected: InjectedFaults
    let link: EvalBoardLinkCounts
    let tally: SoakChecks.Tally
    let wallSeconds: Double

    init(board: HardwareBoardConfiguration, duration: TimeSpan, hop: TimeSpan, window: Double, summary: RunSummary?, failure: String?,
         bus: EmulatedI2CBus, link: EvalBoardLinkCounts, tally: SoakChecks.Tally, wallSeconds: Double) {
        self.board = board
        self.duration = duration
        self.hop = hop
        self.window = window
        self.summary = summary
        self.failure = failure
        transactions = bus.transactionCount
        injected = bus.injected
        self.link = link
        self.tally = tally
        self.wallSeconds = wallSeconds
    }

    /// Windows the audio offered: one per hop once the first window is full
    /// (the audio consumed, not the duration asked for, so a run that
    /// stopped early counts what it missed only up to where it stopped;
    /// a failed run completes none).
    var expectedInferences: Int {
        let seconds = summary?.streamSeconds ?? duration.seconds
        return max(0, Int(((seconds - window) / hop.seconds + 1e-9).rounded(.down)) + 1)
    }
    var completedShare: Double { Double(summary?.inferences ?? 0) / Double(max(1, expectedInferences)) }
    var monitorShare: Double {
        guard let s = summary, s.boardSeconds > 0 else { return 0 }
        return s.powerMonitor.samples == 0 ? 0 : 1 - s.powerMonitor.awaySeconds / s.boardSeconds
    }
    var wrongReadings: Int { tally.wrongMultiplies + tally.wrongSamples }
    var corruptedReads: Int { injected.corruptedReads.values.reduce(0, +) }

    var targetMet: Bool {
        failure == nil && wrongReadings == 0 && completedShare >= Self.minimumCompletedShare && monitorShare >= Self.minimumMonitorShare
    }

    var text: String {
        let f = board.faults
        var lines = ["soak: \(summary?.firmware ?? "kws-gru") on \(board.name), \(duration) of board time, hop \(hop)"]
        lines.append("  faults set     NACK \(percent(f.nackRate)), timeout \(percent(f.timeoutRate)), corrupted read \(percent(f.corruptReadRate))"
                     + (f.vanishAddress.map { ", 0x\(String($0, radix: 16)) away \(f.vanishForSeconds) s every \(f.vanishEverySeconds) s" } ?? "")
                     + ", seed \(f.seed)")
        lines.append("  transactions   \(transactions)")
        let byDevice = injected.corruptedReads.sorted { $0.key < $1.key }.map { "0x\(String($0.key, radix: 16)) \($0.value)" }.joined(separator: ", ")
        lines.append("  injected       \(injected.nacks) NACKs, \(injected.timeouts) timeouts, \(corruptedReads) corrupted reads (\(byDevice)), "
                     + "\(injected.vanishedTransactions) transactions to a vanished device")
        lines.append("  eval board     \(link.transfersRetried) transfers retried, \(link.pecMismatches) PEC mismatches caught, "
                     + "\(link.commandsTakenDespiteFault) commands taken despite a fault, \(link.commandsResent) resent")
        if let s = summary {
            let m = s.powerMonitor
            lines.append("  power monitor  \(m.samples) samples, \(m.retriesRecovered) retries recovered, \(m.samplesMissed) estimated, "
                         + "\(m.drops) set aside, \(m.returns) back; present \(String(format: "%.4f", 100 * monitorShare))%")
            lines.append("  inferences     \(s.inferences) of \(expectedInferences) (\(String(format: "%.4f", 100 * completedShare))%), "
                         + "\(s.inferencesSkipped) windows skipped; \(s.faults) faults recorded, all recovered: \(failure == nil)")
        }
        lines.append("  checked        \(tally.multipliesChecked) multiplies (\(tally.wrongMultiplies) wrong), "
                     + "\(tally.samplesChecked) power samples (\(tally.wrongSamples) wrong)")
        if let w = tally.firstWrong { lines.append("  first wrong    \(w)") }
        if let failure { lines.append("  failure        \(failure)") }
        lines.append("  wall time      \(String(format: "%.1f", wallSeconds)) s")
        lines.append("  target         \(targetMet ? "met" : "MISSED"): 0 wrong readings, ≥ 99.9% of inferences, monitor present ≥ 99.9%")
        return lines.joined(separator: "\n")
    }

    var json: String {
        var object: [String: Any] = [
            "board": board.name, "duration_s": duration.seconds, "hop_s": hop.seconds, "transactions": transactions,
            "injected": ["nacks": injected.nacks, "timeouts": injected.timeouts, "corrupted_reads": corruptedReads,
                         "vanished_transactions": injected.vanishedTransactions],
            "eval_board": ["transfers_retried": link.transfersRetried, "pec_mismatches": link.pecMismatches,
                           "commands_taken_despite_fault": link.commandsTakenDespiteFault, "commands_resent": link.commandsResent],
            "checked": ["multiplies": tally.multipliesChecked, "wrong_multiplies": tally.wrongMultiplies,
                        "samples": tally.samplesChecked, "wrong_samples": tally.wrongSamples],
            "expected_inferences": expectedInferences, "completed_share": completedShare, "monitor_share": monitorShare,
            "wall_s": wallSeconds, "target_met": targetMet,
        ]
        if let s = summary {
            let m = s.powerMonitor
            object["inferences"] = s.inferences
            object["inferences_skipped"] = s.inferencesSkipped
            object["faults_recorded"] = s.faults
            object["power_monitor"] = ["samples": m.samples, "retries_recovered": m.retriesRecovered, "samples_missed": m.samplesMissed,
                                       "drops": m.drops, "returns": m.returns, "away_s": m.awaySeconds]
        }
        if let failure { object["failure"] = failure }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    private func percent(_ p: Double) -> String { String(format: "%g%%", 100 * p) }
}
