import Foundation

/// report.html: one self-contained file (inline CSS and SVG, no script)
/// that a procurement team can open, print or mail.
public enum HTMLReport {
    public static func render(_ report: EvaluationReport) -> String {
        let e = SVGChart.escape
        let p = report.provenance
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>CIM evaluation: \(e(report.boards.map(\.boardName).joined(separator: " vs ")))</title>
        <style>
        body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
        table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#f3f3f3}.yes{background:#e3f5e1}.no{background:#fbe4e4}.charts svg{margin:0.5em 0;max-width:100%;height:auto}
        .verdict{border:2px solid #888;padding:0.5em 1em;margin:1em 0}code{background:#f6f6f6;padding:0 3px}
        </style></head><body>
        <h1>Analog CIM evaluation: keyword spotting</h1>
        <p>The procedure of “How to Benchmark CIM Hardware for Your Edge AI Workload”: effective throughput against peak,
        board-level energy per inference (MLPerf Tiny protocol), model porting, temperature, drift, and the verdict by
        the rule <em>at least 5x less energy per inference than the digital baseline, within 1 point of its accuracy</em>.
        Every number below was computed by the run described here.</p>
        <table>
        <tr><th>command</th><td><code>\(e(p.command))</code></td></tr>
        <tr><th>tool, version</th><td>\(e(p.tool)) \(e(p.version))</td></tr>
        <tr><th>generated</th><td>\(e(p.generatedAt))</td></tr>
        <tr><th>firmware</th><td>\(e(p.firmware))</td></tr>
        <tr><th>model</th><td>\(e(p.model))</td></tr>
        <tr><th>seed</th><td>\(p.seed.map(String.init) ?? "each board file's (per board below)")</td></tr>
        <tr><th>host</th><td>\(e(p.host))</td></tr>
        <tr><th>board files</th><td>\(report.boards.map { e($0.boardFile) }.joined(separator: "<br>"))</td></tr>
        <tr><th>run</th><td>\(report.settings.quick ? "quick (reduced: a smoke test, not for decisions)" : "full") · \(report.baseline.clips) test clips, \(report.settings.batch) through the model at a time</td></tr>
        </table>

        """
        html += "<h2>Verdict</h2>\n"
        for b in report.boards {
            html += "<div class=\"verdict \(b.verdict.worthScaling ? "yes" : "no")\"><strong>\(e(b.boardName)): \(b.verdict.worthScaling ? "worth scaling" : "not worth scaling")</strong><ul>"
            html += b.verdict.reasons.map { "<li>\(e($0))</li>" }.joined() + "</ul></div>\n"
        }
        html += "<h2>Boards side by side</h2>\n<table><tr><th>metric</th>" + report.boards.map { "<th>\(e($0.boardName))</th>" }.joined() + "</tr>\n"
        for row in ComparisonTable.rows(report) {
            html += "<tr><th>\(e(row.metric))</th>" + row.values.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n"
        }
        html += "</table>\n"
        html += """
        <h2>Digital baseline</h2>
        <table>
        <tr><th>float accuracy</th><td>\(ComparisonTable.percent(report.baseline.floatAccuracy)) on \(report.baseline.clips) clips</td></tr>
        <tr><th>CPU model</th><td>\(ComparisonTable.joules(report.baseline.cpuModelJoulesPerInference)) per inference · \(e(report.baseline.cpuModelSource))</td></tr>
        <tr><th>measured CPU</th><td>\(ComparisonTable.seconds(report.baseline.measuredCPUSecondsPerInference)) thread CPU time per inference (median, the optimised Float32 runtime; the Double-sum reference takes \(ComparisonTable.seconds(report.baseline.referenceRuntimeCPUSecondsPerInference))) on \(e(report.baseline.host)) × \(String(format: "%.3f", report.baseline.cpuActiveWatts)) W = \(ComparisonTable.joules(report.baseline.measuredCPUJoulesPerInference)) · \(e(report.baseline.cpuWattsSource))</td></tr>
        </table>

        """
        html += "<h2>Plots</h2>\n<div class=\"charts\">\n"
        for chart in ReportCharts.all(report) { html += chart }
        html += "</div>\n"
        for b in report.boards { html += details(b) }
        html += "</body></html>\n"
        return html
    }

    private static func details(_ b: BoardEvaluation) -> String {
        let e = SVGChart.escape
        var html = "<h2>\(e(b.boardName)) in detail</h2>\n<h3>Where the time goes</h3>\n<table><tr><th>part</th><th>per inference</th><th>share</th></tr>\n"
        if b.throughput.execution == "on_chip" {
            html = html.replacingOccurrences(of: "<h3>Where the time goes</h3>\n", with: "<h3>Where the time goes</h3>\n<p>One inference's latency on chip, \(ComparisonTable.seconds(b.throughput.timeBreakdown.reduce(0) { $0 + $1.secondsPerInference })), by the resource it waited on (the compiler's schedule). The board time per inference, \(ComparisonTable.seconds(b.throughput.secondsPerInference)), is the accuracy run's, whose batches overlap on the plan's copies.</p>\n")
        }
        for s in b.throughput.timeBreakdown {
            html += "<tr><td>\(e(s.part))</td><td>\(ComparisonTable.seconds(s.secondsPerInference))</td><td>\(ComparisonTable.percent(s.fraction))</td></tr>\n"
        }
        html += "</table>\n<p>Peak: \(e(b.throughput.peakSource)). \(b.throughput.tileMVMsPerInference) tile MVMs and \(b.throughput.modelMACsPerInference) model MACs per inference; \(b.throughput.tilesUsed) tiles \(b.throughput.execution == "on_chip" ? "run by the chip's sequencer, a matrix's pieces at once" : "driven one after another by the host"), \(ComparisonTable.percent(b.throughput.cellUtilisation)) of their cells hold weights.</p>\n"
        html += "<h3>Energy runs</h3>\n<p>\(e(b.energy.protocolNote)); \(e(b.energy.source)).</p>\n<table><tr><th>run</th><th>inferences</th><th>window</th><th>measured per inference</th><th>sampling bound</th><th>energy model</th></tr>\n"
        for (n, r) in b.energy.runs.enumerated() {
            html += "<tr><td>\(n + 1)</td><td>\(r.inferences)</td><td>\(ComparisonTable.seconds(r.windowSeconds))</td><td>\(ComparisonTable.joules(r.measuredJoulesPerInference))</td><td>±\(ComparisonTable.joules(r.errorBoundJoulesPerInference))</td><td>\(r.modelJoulesPerInference.map(ComparisonTable.joules) ?? "—")</td></tr>\n"
        }
        html += "</table>\n<h3>Porting</h3>\n<table><tr><th>weights</th><th>float-runtime accuracy</th><th>gap (points)</th></tr>\n"
        for q in b.porting.quantisation {
            html += "<tr><td>\(q.weightBits)-bit\(q.weightBits == b.porting.boardWeightBits ? " (the board's)" : "")</td><td>\(ComparisonTable.percent(q.accuracy))</td><td>\(String(format: "%.1f", q.gapPoints))</td></tr>\n"
        }
        html += "</table>\n<p>Port wall time \(String(format: "%.2f", b.porting.totalPortSeconds)) s: compile \(String(format: "%.3f", b.porting.compileSeconds)) s, stuck-cell scan and write-verify \(String(format: "%.2f", b.porting.faultScanAndProgramSeconds)) s, calibration \(String(format: "%.2f", b.porting.calibrateSeconds)) s; \(b.porting.stuckPairsFound) stuck pairs found, \(b.porting.weightsMovedToDigital) weights moved to digital. Retraining: \(e(b.porting.retrainingAdvice)).</p>\n"
        if !b.notMeasured.isEmpty {
            html += "<h3>Not measured</h3><ul>" + b.notMeasured.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n"
        }
        return html
    }
}
