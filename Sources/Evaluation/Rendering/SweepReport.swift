import Foundation

/// A sweep's report.html, in the style of `cimfw evaluate`'s (inline CSS and
/// SVG, no script): what was swept, the best points, the trade-off between
/// energy and accuracy with its Pareto front, each axis's effect per
/// technology, and the article's verdict point by point. Every number comes
/// from the table (no clock, no host), so the same results give the same
/// file on any machine.
public enum SweepReport {
    public static func render(_ table: SweepTable) -> String {
        let e = SVGChart.escape
        let plan = table.plan
        let points = measured(table)
        let technologies = distinct(plan.points.map(\.technology)).filter { t in points.contains { $0.point.technology == t } }
        let floatAccuracy = table.rows.first.map { 100 * $0.1.board.accuracy.float }
        let cpuModel = table.rows.first.map { $0.1.baseline.cpuModelJoulesPerInference }
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>CIM sweep: \(e(plan.name))</title>
        <style>
        body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
        table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#f3f3f3}.yes{background:#e3f5e1}.no{background:#fbe4e4}.charts svg{margin:0.5em 0;max-width:100%;height:auto}
        td.number{text-align:right}tr.front td:first-child{font-weight:bold}code{background:#f6f6f6;padding:0 3px}
        </style></head><body>
        <h1>Analog CIM sweep: \(e(plan.name))</h1>
        <p><code>cimfw evaluate</code> at every point of a grid of board settings: accuracy on the same clips as the float model,
        board-level energy per inference (MLPerf Tiny protocol) and effective throughput, judged by the rule of
        “How to Benchmark CIM Hardware for Your Edge AI Workload” against the 45 nm CPU model: <em>within 1 point of
        float accuracy and at least 5x less energy per inference</em>. Every number below is in results.csv.</p>
        <table>
        <tr><th>spec</th><td><code>\(e(plan.spec))</code></td></tr>
        <tr><th>firmware</th><td><code>\(e(plan.firmware))</code></td></tr>
        <tr><th>budget</th><td>\(e(plan.budget.rawValue))\(plan.budget == .quick ? " (cimfw evaluate --quick)" : "")</td></tr>
        <tr><th>clips per point</th><td>\(plan.clips.map(String.init) ?? "the budget's"), \(plan.batch ?? EvaluationSettings.defaultBatch) through the model at a time</td></tr>
        <tr><th>measurements</th><td>accuracy, energy per inference, throughput\(plan.measurements.map { ", " + e($0.rawValue) }.joined())</td></tr>
        <tr><th>points</th><td>\(plan.points.count): \(table.rows.count) done, \(table.failed.count) failed, \(table.pending.count) pending</td></tr>
        <tr><th>technologies (base boards)</th><td>\(distinct(plan.points.map(\.technology)).map(e).joined(separator: ", "))</td></tr>

        """
        for key in plan.axisKeys {
            html += "<tr><th>axis <code>\(e(key))</code></th><td>\(values(of: key, in: plan).map { e($0.description) }.joined(separator: ", "))</td></tr>\n"
        }
        html += "<tr><th>seeds</th><td>\(distinct(plan.points.map(\.seed)).map(String.init).joined(separator: ", "))</td></tr>\n"
        if let floatAccuracy { html += "<tr><th>float model</th><td>\(String(format: "%.1f%%", floatAccuracy)) accuracy</td></tr>\n" }
        if let cpuModel { html += "<tr><th>45 nm CPU model</th><td>\(ComparisonTable.joules(cpuModel)) per inference</td></tr>\n" }
        html += "</table>\n<h2>Best points</h2>\n<ul>\n" + table.bestPoints.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"

        html += """
        <h2>Trade-offs</h2>
        <p>One marker per point, a colour per technology. The stepped line is the Pareto front: the points no other
        point beats on both axes (less energy, or more TOPS/W, and at least the same accuracy). A point off the front
        pays energy for accuracy another point gets cheaper; moving along the front trades one for the other. The
        dashed line is the float model's accuracy; the rule needs a point within 1 point of it.</p>
        <div class="charts">

        """
        html += tradeOff(title: "Pareto front: energy per inference against accuracy",
                         xLabel: "board energy per inference (µJ, log)", points: points, x: \.energyMicrojoules,
                         front: points.indices.filter { points[$0].onEnergyFront }, technologies: technologies, floatAccuracy: floatAccuracy)
        html += tradeOff(title: "Pareto front: effective TOPS/W against accuracy",
                         xLabel: "effective TOPS/W (2 ops per MAC / board energy per inference, log)", points: points, x: \.topsPerWatt,
                         front: points.indices.filter { points[$0].onEfficiencyFront }, technologies: technologies, floatAccuracy: floatAccuracy)
        html += "</div>\n"

        if !plan.axisKeys.isEmpty {
            let averaged = plan.axisKeys.count > 1 ? "mean over seeds and the other axes" : "mean over seeds"
            html += "<h2>Each axis</h2>\n<p>Per technology, the \(averaged) at each value of the axis (a marker's tooltip gives the range).</p>\n<div class=\"charts\">\n"
            for key in plan.axisKeys {
                html += axisCharts(key: key, plan: plan, points: points, technologies: technologies, floatAccuracy: floatAccuracy, averaged: averaged).joined()
            }
            html += "</div>\n"
        }

        html += verdictTable(points, plan: plan)
        if !table.failed.isEmpty {
            html += "<h2>Failed points</h2>\n<p><code>cimfw sweep run DIR</code> runs them again.</p>\n<table><tr><th>point</th><th>technology</th><th>id</th><th>error</th></tr>\n"
            for f in table.failed {
                let technology = plan.points.first { $0.index == f.index }?.technology ?? ""
                html += "<tr><td>\(f.index)</td><td>\(e(technology))</td><td><code>\(e(f.id))</code></td><td>\(e(f.error))</td></tr>\n"
            }
            html += "</table>\n"
        }
        return html + "</body></html>\n"
    }

    /// A finished point with the numbers the report shows, in results.csv's units.
    private struct Measured {
        var point: SweepPoint
        var result: SweepPointResult
        var accuracyPercent: Double
        var energyMicrojoules: Double?
        var topsPerWatt: Double?
        var onEnergyFront = false
        var onEfficiencyFront = false
    }

    private static func measured(_ table: SweepTable) -> [Measured] {
        var points = table.rows.map { point, result in
            let energy = result.board.energy.medianJoulesPerInference
            return Measured(point: point, result: result, accuracyPercent: 100 * result.board.accuracy.accelerator,
                            energyMicrojoules: energy > 0 && energy.isFinite ? 1e6 * energy : nil, topsPerWatt: result.effectiveTOPSPerWatt)
        }
        // The fronts are taken on the numbers as results.csv holds them (6
        // significant digits): a reader can check them from the file, and two
        // seeds whose energies differ in the last bits do not both make the front.
        func asInCSV(_ v: Double?) -> Double { v.flatMap { Double(String(format: "%.6g", $0)) } ?? .nan }
        let energyFront = ParetoFront.indices(of: points.map { (asInCSV($0.energyMicrojoules), asInCSV($0.accuracyPercent)) }, x: .lower, y: .higher)
        let efficiencyFront = ParetoFront.indices(of: points.map { (asInCSV($0.topsPerWatt), asInCSV($0.accuracyPercent)) }, x: .higher, y: .higher)
        for i in energyFront { points[i].onEnergyFront = true }
        for i in efficiencyFront { points[i].onEfficiencyFront = true }
        return points
    }

    /// Accuracy against a log-scaled energy measure: a marker series per
    /// technology, the front as a staircase over them, the float model's accuracy dashed.
    private static func tradeOff(title: String, xLabel: String, points: [Measured], x: KeyPath<Measured, Double?>,
                                 front: [Int], technologies: [String], floatAccuracy: Double?) -> String {
        let placed: [(m: Measured, x: Double)] = points.compactMap { m in m[keyPath: x].flatMap { $0 > 0 && $0.isFinite ? (m, $0) : nil } }
        guard !placed.isEmpty else { return SVGChart.empty(title: title, note: "no finished point with a measured energy") }
        let xRange = SVGChart.span(placed.map(\.x), log: true)
        var series = technologies.map { technology in
            let mine = placed.filter { $0.m.point.technology == technology }
            return SVGChart.Series(name: technology, points: mine.map { ($0.x, $0.m.accuracyPercent) }, style: .markers,
                                   labels: mine.map { describe($0.m) })
        }
        // The staircase runs along x.
        let frontPoints = front.compactMap { i in points[i][keyPath: x].map { ($0, points[i].accuracyPercent) } }.sorted { $0.0 < $1.0 }
        series.append(.init(name: "Pareto front (\(frontPoints.count) of \(placed.count) points)", points: frontPoints, style: .steps, colour: "#222"))
        if let floatAccuracy {
            series.append(.init(name: String(format: "float model: %.1f%%", floatAccuracy), points: [(xRange.lowerBound, floatAccuracy), (xRange.upperBound, floatAccuracy)],
                                dashed: true, style: .line, colour: "#888"))
        }
        return SVGChart.plot(title: title, x: .init(label: xLabel, logarithmic: true, range: xRange), y: .init(label: "board accuracy (%)"), series: series)
    }

    /// Accuracy, and energy per inference, against one axis: per technology
    /// the mean at each value. A numeric axis is to scale (log when it spans
    /// two decades or more); any other is in the spec's order.
    private static func axisCharts(key: String, plan: SweepPlan, points: [Measured], technologies: [String],
                                   floatAccuracy: Double?, averaged: String) -> [String] {
        let accuracyTitle = "Accuracy against \(key)", energyTitle = "Energy per inference against \(key)"
        var axisValues = values(of: key, in: plan)
        let numbers = axisValues.compactMap(\.number)
        let numeric = numbers.count == axisValues.count
        if numeric { axisValues.sort { ($0.number ?? 0) < ($1.number ?? 0) } }
        guard !points.isEmpty, !axisValues.isEmpty else {
            return [SVGChart.empty(title: accuracyTitle, note: "no finished point"), SVGChart.empty(title: energyTitle, note: "no finished point")]
        }
        let position: (Int, AxisValue) -> Double = { n, value in numeric ? (value.number ?? .nan) : Double(n) }
        var x = SVGChart.Axis(label: key)
        if numeric, let lo = numbers.min(), let hi = numbers.max(), lo > 0, hi / lo >= 100 {
            x.logarithmic = true
            x.label += " (log)"
        }
        x.label += "; each marker the \(averaged)"
        if numeric, axisValues.count <= 12 {
            // A tick at each value the sweep took, labelled as the spec gives it.
            x.ticks = axisValues.map { ($0.number ?? .nan, $0.description) }
        } else if !numeric {
            x.ticks = axisValues.enumerated().map { n, value in (Double(n), value.description) }
            x.range = -0.5...(Double(axisValues.count) - 0.5)
        }
        var accuracy: [SVGChart.Series] = [], energy: [SVGChart.Series] = []
        for technology in technologies {
            var accuracyPoints: [(x: Double, y: Double)] = [], energyPoints: [(x: Double, y: Double)] = []
            var accuracyLabels: [String] = [], energyLabels: [String] = []
            for (n, value) in axisValues.enumerated() {
                let group = points.filter { $0.point.technology == technology && $0.point.settings.first { $0.key == key }?.value == value }
                guard !group.isEmpty else { continue }
                let place = "\(technology), \(key) = \(value): "
                let accuracies = group.map(\.accuracyPercent)
                accuracyPoints.append((position(n, value), mean(accuracies)))
                accuracyLabels.append(place + String(format: "%.1f%% (%d points, %.1f%% to %.1f%%)", mean(accuracies), group.count,
                                                     accuracies.min() ?? .nan, accuracies.max() ?? .nan))
                let energies = group.compactMap(\.energyMicrojoules)
                guard !energies.isEmpty else { continue }
                energyPoints.append((position(n, value), mean(energies)))
                energyLabels.append(place + String(format: "%.4g µJ (%d points, %.4g to %.4g µJ)", mean(energies), energies.count,
                                                   energies.min() ?? .nan, energies.max() ?? .nan))
            }
            accuracy.append(.init(name: technology, points: accuracyPoints, labels: accuracyLabels))
            energy.append(.init(name: technology, points: energyPoints, labels: energyLabels))
        }
        // The float model's accuracy spans the whole axis, so the axis's range is fixed here.
        let range = x.range ?? SVGChart.span(accuracy.flatMap { $0.points.map(\.x) }, log: x.logarithmic, pad: !x.logarithmic)
        x.range = range
        if let floatAccuracy {
            accuracy.append(.init(name: String(format: "float model: %.1f%%", floatAccuracy), points: [(range.lowerBound, floatAccuracy), (range.upperBound, floatAccuracy)],
                                  dashed: true, style: .line, colour: "#888"))
        }
        return [SVGChart.plot(title: accuracyTitle, x: x, y: .init(label: "board accuracy (%)"), series: accuracy),
                SVGChart.plot(title: energyTitle, x: x, y: .init(label: "board energy per inference (µJ, log)", logarithmic: true), series: energy)]
    }

    /// One row per finished point: its numbers, whether it is on a front, and
    /// the verdict with what it misses by.
    private static func verdictTable(_ points: [Measured], plan: SweepPlan) -> String {
        let e = SVGChart.escape
        var html = "<h2>Verdict per point</h2>\n<p>Within 1 point of float accuracy and at least 5x less energy per inference than the 45 nm CPU model"
            + " (results.csv's <code>worth_scaling_by_cpu_model</code>). Points on a Pareto front are in bold.</p>\n"
        html += "<table><tr><th>point</th><th>technology</th>" + plan.axisKeys.map { "<th>\(e($0))</th>" }.joined()
            + "<th>seed</th><th>accuracy</th><th>gap to float (points)</th><th>energy per inference</th><th>less energy than the CPU model</th>"
            + "<th>effective TOPS/W</th><th>Pareto front</th><th>verdict</th></tr>\n"
        for m in points {
            let b = m.result.board
            let fronts = (m.onEnergyFront ? ["energy"] : []) + (m.onEfficiencyFront ? ["TOPS/W"] : [])
            let worth = m.result.worthScalingByCPUModel
            html += "<tr class=\"\(worth ? "yes" : "no")\(fronts.isEmpty ? "" : " front")\"><td>\(m.point.index)</td><td>\(e(m.point.technology))</td>"
            html += plan.axisKeys.map { key in "<td>\(e(m.point.settings.first { $0.key == key }?.value.description ?? ""))</td>" }.joined()
            html += "<td>\(m.point.seed)</td>"
            html += "<td class=\"number\">\(String(format: "%.1f%%", m.accuracyPercent))</td>"
            html += "<td class=\"number\">\(String(format: "%.1f", b.accuracy.gapPoints))</td>"
            html += "<td class=\"number\">\(ComparisonTable.joules(b.energy.medianJoulesPerInference))</td>"
            html += "<td class=\"number\">\(String(format: "%.2fx", b.verdict.energyAdvantageOverCPUModel))</td>"
            html += "<td class=\"number\">\(m.topsPerWatt.map { String(format: "%.4g", $0) } ?? "—")</td>"
            html += "<td>\(fronts.joined(separator: ", "))</td>"
            html += "<td>" + (worth ? "<strong>worth scaling</strong>" : "not worth scaling: " + e(shortfalls(of: m.result).joined(separator: "; "))) + "</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// What keeps a point from the rule, in its own numbers.
    private static func shortfalls(of result: SweepPointResult) -> [String] {
        let v = result.board.verdict
        var reasons: [String] = []
        if !v.accuracyWithinOnePoint { reasons.append(String(format: "accuracy %.1f points below float", v.accuracyGapPoints)) }
        if v.energyAdvantageOverCPUModel < 5 {
            reasons.append(v.energyAdvantageOverCPUModel >= 1 || v.energyAdvantageOverCPUModel <= 0
                ? String(format: "only %.2fx less energy than the CPU model", v.energyAdvantageOverCPUModel)
                : String(format: "%.2fx more energy than the CPU model", 1 / v.energyAdvantageOverCPUModel))
        }
        return reasons
    }

    private static func describe(_ m: Measured) -> String {
        let settings = m.point.settings.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
        return "point \(m.point.index): \(m.point.technology)\(settings.isEmpty ? "" : ", " + settings), seed \(m.point.seed): "
            + String(format: "%.1f%% accuracy, ", m.accuracyPercent) + ComparisonTable.joules(m.result.board.energy.medianJoulesPerInference)
            + (m.topsPerWatt.map { String(format: ", %.4g TOPS/W", $0) } ?? "")
    }

    /// The values an axis takes, in the plan's order.
    private static func values(of key: String, in plan: SweepPlan) -> [AxisValue] {
        distinct(plan.points.compactMap { $0.settings.first { $0.key == key }?.value })
    }

    private static func distinct<T: Hashable>(_ items: [T]) -> [T] {
        var seen = Set<T>()
        return items.filter { seen.insert($0).inserted }
    }

    private static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(1, values.count)) }
}

private extension AxisValue {
    /// The value on a numeric axis; nil for text and flags.
    var number: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .number(let v): return v
        case .text, .flag: return nil
        }
    }
}
