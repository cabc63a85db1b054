import CIMHAL
import Foundation

/// The boards side by side, one metric a row: the table both the HTML
/// report and the Markdown summary lead with.
enum ComparisonTable {
    static func rows(_ report: EvaluationReport) -> [(metric: String, values: [String])] {
        let b = report.boards
        func row(_ metric: String, _ value: (BoardEvaluation) -> String) -> (String, [String]) { (metric, b.map(value)) }
        let names = EnergyBreakdown().components.map(\.name)
        let components = b.contains(where: { $0.energy.breakdownPerInference != nil })
            ? names.enumerated().map { i, name in
                row("  \(name)") { $0.energy.breakdownPerInference.map { joules($0.components[i].joules) } ?? "—" }
            }
            : []
        return [
            row("board file") { $0.boardFile },
            row("backend, seed") { "\($0.backend), \($0.seed)" },
            row("execution") { $0.throughput.execution == "on_chip" ? "on chip (the chip's sequencer)" : "host-driven (every tile MVM over the link)" },
            row("array") { "\($0.geometry.tiles) × \($0.geometry.rows)×\($0.geometry.columns), \($0.geometry.weightBits)-bit weights, \($0.geometry.adcBits)-bit ADC" },
            row("accuracy (float \(percent(report.baseline.floatAccuracy)))") { "\(percent($0.accuracy.accelerator)) (\(signed(-$0.accuracy.gapPoints)) pts)" },
            row("agreement with float") { percent($0.accuracy.agreement) },
            row("energy per inference (board, measured)") { joules($0.energy.medianJoulesPerInference) },
            row("energy model's truth") { $0.energy.modelJoulesPerInference.map(joules) ?? "—" },
            row("measurement error") { $0.energy.measurementError.map { signed(100 * $0, 2) + "%" } ?? "—" },
            row("core (arrays, converters, buffers, control, periphery)") { $0.energy.coreJoulesPerInference.map(joules) ?? "—" },
        ] + (components.isEmpty ? [] : [row("energy model by component, per inference") { _ in "" }] + components) + [
            row("idle power") { String(format: "%.4f W", $0.energy.idlePowerWatts) },
            row("vs CPU model (\(joules(report.baseline.cpuModelJoulesPerInference)))") { String(format: "%.2fx", $0.verdict.energyAdvantageOverCPUModel) },
            row("vs measured CPU (\(joules(report.baseline.measuredCPUJoulesPerInference)))") { String(format: "%.2fx", $0.verdict.energyAdvantageOverMeasuredCPU) },
            row("peak throughput") { $0.throughput.peakTOPS.map { String(format: "%.3f TOPS", $0) } ?? "not stated" },
            row("effective throughput") { String(format: "%.5f TOPS", $0.throughput.effectiveTOPS) },
            row("peak / effective") { $0.throughput.gap.map { String(format: "%.0fx", $0) } ?? "—" },
            row("time per inference (board)") { seconds($0.throughput.secondsPerInference) },
            row("tiles used, utilisation") { "\($0.throughput.tilesUsed), \(percent($0.throughput.cellUtilisation))" },
            row("port wall time") { String(format: "%.2f s", $0.porting.totalPortSeconds) },
            row("4-bit / 8-bit quantised float") { r in
                let q = Dictionary(uniqueKeysWithValues: r.porting.quantisation.map { ($0.weightBits, $0.accuracy) })
                return "\(q[4].map { percent($0) } ?? "—") / \(q[8].map { percent($0) } ?? "—")"
            },
            row("retraining needed") { $0.porting.retrainingNeeded ? "yes" : "no" },
            row("0 / 25 / 60 °C, no recalibration") { r in r.temperature.map { $0.points.map { percent($0.withoutRecalibration) }.joined(separator: " / ") } ?? "not measured" },
            row("0 / 25 / 60 °C, recalibrated") { r in r.temperature.map { $0.points.map { percent($0.withRecalibration) }.joined(separator: " / ") } ?? "not measured" },
            row("1 h / 1 d / 1 month, calibrated once") { r in r.drift.map { $0.points.map { percent($0.withoutRecalibration) }.joined(separator: " / ") } ?? "not measured" },
            row("1 h / 1 d / 1 month, periodic calibration") { r in r.drift.map { $0.points.map { percent($0.withPeriodicCalibration) }.joined(separator: " / ") } ?? "not measured" },
            row("MVM error, whole tile") { $0.arrayError.map { percent($0.overall, 2) } ?? "—" },
            row("verdict") { $0.verdict.worthScaling ? "worth scaling" : "not worth scaling" },
        ]
    }

    static func percent(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f%%", 100 * v) }
    static func signed(_ v: Double, _ digits: Int = 1) -> String { String(format: "%+.\(digits)f", v) }

    static func joules(_ v: Double) -> String {
        for (scale, prefix) in [(1.0, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n")] where abs(v) >= scale {
            return String(format: "%.3f", v / scale) + " \(prefix)J"
        }
        return String(format: "%.3f pJ", v / 1e-12)
    }

    static func seconds(_ v: Double) -> String {
        for (scale, prefix) in [(1.0, ""), (1e-3, "m"), (1e-6, "µ")] where abs(v) >= scale {
            return String(format: "%.3f", v / scale) + " \(prefix)s"
        }
        return String(format: "%.3f ns", v / 1e-9)
    }
}
