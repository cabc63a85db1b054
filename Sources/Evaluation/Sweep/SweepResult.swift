import BoardSupport
import Foundation
import KWS

/// What a point measured: `cimfw evaluate`'s board evaluation and baseline.
/// `DIR/results/ID.json` holds it whole; `results.csv` takes the columns
/// that do not depend on the machine (the seeded simulation's numbers, not
/// wall-clock or measured CPU time), so the same plan gives the same CSV on
/// any machine, in any number of processes.
public struct SweepPointResult: Sendable, Codable, Hashable {
    public var index: Int
    public var id: String
    public var board: BoardEvaluation
    public var baseline: DigitalBaselineResult

    /// Evaluates `point` of `plan` (in `directory`) with `image` and its test set.
    public static func measure(_ point: SweepPoint, of plan: SweepPlan, in directory: String, image: KWSImage, testSet: TestSet,
                               progress: (String) -> Void = { _ in }) throws(EvaluationError) -> SweepPointResult {
        let settings = plan.evaluationSettings
        let boardFile = URL(fileURLWithPath: directory).appendingPathComponent(point.boardFile).path
        let evaluator = try Evaluator(image: image, testSet: testSet, settings: settings)
        let board = BoardEvaluator(boardFile: boardFile, seed: point.seed, image: image, settings: settings) { () throws(MeasurementFailure) -> Board in
            do { return try Board.open(try BoardFile.load(path: boardFile)) } catch {
                throw .deployment(reason: "\(error)")
            }
        }
        let provenance = Provenance(tool: "cimfw sweep point", version: "", generatedAt: "", firmware: plan.firmware,
                                    model: image.model.summary, seed: point.seed, host: "", command: "")
        let baseline = try SweepBaseline.shared(by: plan, in: directory, evaluator: evaluator, progress: progress)
        let report = try evaluator.run(boards: [board], provenance: provenance, measuredBaseline: (baseline.result, baseline.predictions)) {
            _, message in progress(message)
        }
        return SweepPointResult(index: point.index, id: point.id, board: report.boards[0], baseline: report.baseline)
    }

    public static func path(of point: SweepPoint, in directory: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent("results/\(point.id).json").path
    }

    public static func errorPath(of point: SweepPoint, in directory: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent("results/\(point.id).error.json").path
    }

    /// Model operations (2 per MAC) per joule of board energy, in TOPS/W;
    /// nil when the point measured no energy.
    public var effectiveTOPSPerWatt: Double? {
        let energy = board.energy.medianJoulesPerInference
        return energy > 0 ? 2 * Double(board.throughput.modelMACsPerInference) / energy / 1e12 : nil
    }

    /// The article's rule against the 45 nm CPU model alone: within 1 point of
    /// float and at least 5x less energy. (The other half of `cimfw evaluate`'s
    /// verdict, the measured CPU, varies with the machine.)
    public var worthScalingByCPUModel: Bool {
        board.verdict.accuracyWithinOnePoint && board.verdict.energyAdvantageOverCPUModel >= 5
    }
}

/// A point that failed: the message, for `status` to list and `run` to retry.
public struct SweepPointFailure: Sendable, Codable, Hashable {
    public var index: Int
    public var id: String
    public var error: String

    public init(index: Int, id: String, error: String) {
        self.index = index
        self.id = id
        self.error = error
    }
}

/// The plan's results as a table: one row per finished point.
public struct SweepTable: Sendable {
    public var plan: SweepPlan
    public var rows: [(SweepPoint, SweepPointResult)]
    public var failed: [SweepPointFailure]
    public var pending: [SweepPoint]

    public static func read(_ plan: SweepPlan, directory: String) -> SweepTable {
        var rows: [(SweepPoint, SweepPointResult)] = [], failed: [SweepPointFailure] = [], pending: [SweepPoint] = []
        let decoder = JSONDecoder()
        for point in plan.points {
            if let data = FileManager.default.contents(atPath: SweepPointResult.path(of: point, in: directory)),
               let result = try? decoder.decode(SweepPointResult.self, from: data) {
                rows.append((point, result))
            } else if let data = FileManager.default.contents(atPath: SweepPointResult.errorPath(of: point, in: directory)),
                      let failure = try? decoder.decode(SweepPointFailure.self, from: data) {
                failed.append(failure)
            } else {
                pending.append(point)
            }
        }
        return SweepTable(plan: plan, rows: rows, failed: failed, pending: pending)
    }

    /// The points still to run, in index order: pending and failed ones alike.
    public var unfinished: [SweepPoint] {
        let done = Set(rows.map { $0.0.index })
        return plan.points.filter { !done.contains($0.index) }
    }

    /// Column names (units in the names) and each finished point's cells.
    public var columns: [String] {
        var names = ["index", "id", "board"] + plan.axisKeys + ["seed", "accuracy_float_percent", "accuracy_board_percent",
                     "accuracy_gap_points", "energy_board_uj_per_inference", "energy_core_nj_per_inference",
                     "energy_cpu_model_uj_per_inference", "advantage_over_cpu_model", "inference_time_us", "effective_tops",
                     "effective_tops_per_w", "tiles_used"]
        if plan.measurements.contains(.temperature) { names.append("accuracy_worst_temperature_percent") }
        if plan.measurements.contains(.drift) { names.append("accuracy_after_drift_percent") }
        if plan.measurements.contains(.mvmError) { names.append("mvm_error_rms_percent") }
        return names + ["worth_scaling_by_cpu_model"]
    }

    public func cells(_ point: SweepPoint, _ r: SweepPointResult) -> [String] {
        func number(_ v: Double?, _ digits: Int = 6) -> String { v.map { String(format: "%.\(digits)g", $0) } ?? "" }
        let b = r.board, energy = b.energy.medianJoulesPerInference
        var cells = ["\(point.index)", point.id, point.technology]
        for key in plan.axisKeys { cells.append(point.settings.first { $0.key == key }?.value.description ?? "") }
        cells += ["\(point.seed)", number(100 * b.accuracy.float), number(100 * b.accuracy.accelerator), number(b.accuracy.gapPoints),
                  number(1e6 * energy), number(b.energy.coreJoulesPerInference.map { 1e9 * $0 }),
                  number(1e6 * r.baseline.cpuModelJoulesPerInference), number(b.verdict.energyAdvantageOverCPUModel),
                  number(1e6 * b.throughput.secondsPerInference), number(b.throughput.effectiveTOPS),
                  number(r.effectiveTOPSPerWatt), "\(b.throughput.tilesUsed)"]
        if plan.measurements.contains(.temperature) {
            cells.append(number(b.temperature?.points.map(\.withRecalibration).min().map { 100 * $0 }))
        }
        if plan.measurements.contains(.drift) {
            cells.append(number(b.drift?.points.last.map { 100 * $0.withPeriodicCalibration }))
        }
        if plan.measurements.contains(.mvmError) { cells.append(number(b.arrayError.map { 100 * $0.overall })) }
        cells.append(r.worthScalingByCPUModel ? "true" : "false")
        return cells
    }

    /// RFC 4180: a cell with a comma, quote or line break is quoted.
    public var csv: String {
        func quoted(_ cell: String) -> String {
            cell.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }
        var text = columns.map(quoted).joined(separator: ",") + "\n"
        for (point, result) in rows { text += cells(point, result).map(quoted).joined(separator: ",") + "\n" }
        return text
    }

    /// summary.md: counts, the best points and the failures.
    public var summary: String {
        var md = "# Sweep \(plan.name)\n\n"
        md += "\(plan.points.count) points (\(rows.count) done, \(failed.count) failed, \(pending.count) pending); "
            + "firmware `\(plan.firmware)`, budget \(plan.budget.rawValue)\(plan.clips.map { ", \($0) clips per point" } ?? "").\n\n"
        md += bestPoints.map { "- \($0)\n" }.joined()
        if !failed.isEmpty {
            md += "\n## Failed points (run `cimfw sweep run DIR` again to retry them)\n\n"
            for f in failed { md += "- point \(f.index) (\(f.id)): \(f.error)\n" }
        }
        return md
    }

    /// The points worth a look, a sentence each (summary.md's list and
    /// report.html's): the least energy within 1 point of float, the most
    /// accurate, and those worth scaling by the CPU model.
    public var bestPoints: [String] {
        func describe(_ p: SweepPoint) -> String {
            ([p.technology] + p.settings.map { "\($0.key) = \($0.value)" } + ["seed \(p.seed)"]).joined(separator: ", ")
        }
        var lines: [String] = []
        let within = rows.filter { $0.1.board.accuracy.gapPoints <= 1 }
        if let best = within.min(by: { $0.1.board.energy.medianJoulesPerInference < $1.1.board.energy.medianJoulesPerInference }) {
            lines.append(String(format: "least energy within 1 point of float: point %d (%@): %.3f µJ per inference, %.1f%% accuracy",
                                best.0.index, describe(best.0), 1e6 * best.1.board.energy.medianJoulesPerInference, 100 * best.1.board.accuracy.accelerator))
        } else if !rows.isEmpty {
            lines.append("no point is within 1 point of float accuracy")
        }
        if let best = rows.max(by: { $0.1.board.accuracy.accelerator < $1.1.board.accuracy.accelerator }) {
            lines.append(String(format: "most accurate: point %d (%@): %.1f%% accuracy, %.3f µJ per inference",
                                best.0.index, describe(best.0), 100 * best.1.board.accuracy.accelerator, 1e6 * best.1.board.energy.medianJoulesPerInference))
        }
        let worth = rows.filter { $0.1.worthScalingByCPUModel }
        lines.append("worth scaling by the CPU model (within 1 point, ≥ 5x less energy): \(worth.count) of \(rows.count) points"
                     + (worth.isEmpty ? "" : ": " + worth.map { "\($0.0.index)" }.joined(separator: ", ")))
        return lines
    }
}
