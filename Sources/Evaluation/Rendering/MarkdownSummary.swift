/// summary.md: the verdict and the side-by-side table, for a ticket or a chat.
public enum MarkdownSummary {
    public static func render(_ report: EvaluationReport) -> String {
        let p = report.provenance
        var md = "# CIM evaluation: \(report.boards.map(\.boardName).joined(separator: " vs "))\n\n"
        md += "`\(p.command)` — \(p.tool) \(p.version), \(p.generatedAt), seed \(p.seed.map(String.init) ?? "from each board file"), firmware `\(p.firmware)` (\(p.model)), host \(p.host)"
        md += report.settings.quick ? " — **quick run: a smoke test, not for decisions**\n\n" : "\n\n"
        md += "## Verdict\n\n"
        for b in report.boards {
            md += "- **\(b.boardName): \(b.verdict.worthScaling ? "worth scaling" : "not worth scaling")**\n"
            for reason in b.verdict.reasons { md += "  - \(reason)\n" }
        }
        md += "\n## Side by side\n\n| metric | " + report.boards.map(\.boardName).joined(separator: " | ") + " |\n"
        md += "|---|" + report.boards.map { _ in "---|" }.joined() + "\n"
        for row in ComparisonTable.rows(report) {
            md += "| \(cell(row.metric)) | " + row.values.map(cell).joined(separator: " | ") + " |\n"
        }
        md += "\nDigital baseline: float accuracy \(ComparisonTable.percent(report.baseline.floatAccuracy)) on \(report.baseline.clips) clips (the boards run them \(report.settings.batch) at a time); "
        md += "CPU model \(ComparisonTable.joules(report.baseline.cpuModelJoulesPerInference)) per inference (\(report.baseline.cpuModelSource)); "
        md += "measured CPU \(ComparisonTable.seconds(report.baseline.measuredCPUSecondsPerInference)) per inference × \(String(format: "%.3f", report.baseline.cpuActiveWatts)) W = \(ComparisonTable.joules(report.baseline.measuredCPUJoulesPerInference)) (\(report.baseline.cpuWattsSource)).\n"
        for b in report.boards where !b.notMeasured.isEmpty {
            md += "\nNot measured on \(b.boardName): " + b.notMeasured.joined(separator: "; ") + ".\n"
        }
        md += "\nPlots and detail: report.html; every number: report.json.\n"
        return md
    }

    private static func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
}
