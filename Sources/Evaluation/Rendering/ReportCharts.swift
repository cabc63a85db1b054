import Foundation

/// The report's plots, each from the report's own numbers.
enum ReportCharts {
    static func all(_ report: EvaluationReport) -> [String] {
        energyDistributions(report) + [energyAgainstBaselines(report), accuracyAgainstTemperature(report),
                                       accuracyAgainstTime(report), throughput(report)] + arrayError(report)
    }

    /// One histogram per board: boards differ by more than their spread.
    static func energyDistributions(_ r: EvaluationReport) -> [String] {
        r.boards.map { b in
            SVGChart.histogram(title: "\(b.boardName): energy per inference (\(b.energy.source))",
                               x: .init(label: "µJ per monitor interval (one inference each); run median \(ComparisonTable.joules(b.energy.medianJoulesPerInference))"),
                               yLabel: "share of inferences", series: [(b.boardName, b.energy.perInferenceJoules.map { $0 * 1e6 })])
        }
    }

    static func energyAgainstBaselines(_ r: EvaluationReport) -> String {
        var categories = r.boards.map(\.boardName)
        categories += ["CPU model", "measured CPU"]
        let board = r.boards.map { $0.energy.medianJoulesPerInference * 1e6 } + [r.baseline.cpuModelJoulesPerInference * 1e6, r.baseline.measuredCPUJoulesPerInference * 1e6]
        let core = r.boards.map { ($0.energy.coreJoulesPerInference ?? .nan) * 1e6 } + [.nan, .nan]
        return SVGChart.bars(title: "Energy per inference: boards and the digital baseline",
                             categories: categories, y: .init(label: "µJ per inference (log)", logarithmic: true),
                             series: [("board level (measured) / baseline", board), ("core only (energy model)", core)])
    }

    static func accuracyAgainstTemperature(_ r: EvaluationReport) -> String {
        var series: [SVGChart.Series] = []
        for b in r.boards {
            guard let t = b.temperature else { continue }
            series.append(.init(name: "\(b.boardName), recalibrated", points: t.points.map { ($0.celsius, 100 * $0.withRecalibration) }))
            series.append(.init(name: "\(b.boardName), calibrated at \(Int(t.calibratedAtCelsius)) °C only", points: t.points.map { ($0.celsius, 100 * $0.withoutRecalibration) }, dashed: true))
        }
        guard !series.isEmpty else { return SVGChart.empty(title: "Accuracy against temperature", note: "no board with a thermal chamber") }
        if let t = r.boards.compactMap(\.temperature).first, let lo = t.points.map(\.celsius).min(), let hi = t.points.map(\.celsius).max() {
            series.append(.init(name: "float baseline", points: [(lo, 100 * r.baseline.floatAccuracy), (hi, 100 * r.baseline.floatAccuracy)], dashed: true))
        }
        return SVGChart.plot(title: "Accuracy against temperature (thermal chamber)", x: .init(label: "die temperature (°C)"),
                             y: .init(label: "accuracy (%)"), series: series)
    }

    static func accuracyAgainstTime(_ r: EvaluationReport) -> String {
        var series: [SVGChart.Series] = []
        var ticks: [(value: Double, label: String)] = []
        for b in r.boards {
            guard let d = b.drift else { continue }
            series.append(.init(name: "\(b.boardName), calibrated every \(Int(d.calibrationPeriodSeconds)) s", points: d.points.map { ($0.secondsAfterProgramming, 100 * $0.withPeriodicCalibration) }))
            series.append(.init(name: "\(b.boardName), calibrated once", points: d.points.map { ($0.secondsAfterProgramming, 100 * $0.withoutRecalibration) }, dashed: true))
            if ticks.isEmpty { ticks = d.points.map { ($0.secondsAfterProgramming, $0.label) } }
        }
        guard !series.isEmpty else { return SVGChart.empty(title: "Accuracy against time since calibration", note: "no board with simulated time") }
        return SVGChart.plot(title: "Accuracy against time since programming and calibration", x: .init(label: "time after programming (log)", logarithmic: true, ticks: ticks),
                             y: .init(label: "accuracy (%)"), series: series)
    }

    static func throughput(_ r: EvaluationReport) -> String {
        SVGChart.bars(title: "Peak against effective throughput", categories: r.boards.map(\.boardName),
                      y: .init(label: "TOPS (log)", logarithmic: true),
                      series: [("peak (all tiles, full arrays)", r.boards.map { $0.throughput.peakTOPS ?? .nan }),
                               ("effective (this model, end to end)", r.boards.map(\.throughput.effectiveTOPS))])
    }

    static func arrayError(_ r: EvaluationReport) -> [String] {
        r.boards.compactMap { b in
            b.arrayError.map { m in
                SVGChart.heatmap(title: "\(b.boardName): MVM error by array position (tile \(m.tile))", grid: m.error,
                                 rowLabel: "row block (\(m.rowsPerBlock) rows each), top = row 0",
                                 columnLabel: "column block (\(m.columnsPerBlock) columns each)", valueLabel: "relative error")
            }
        }
    }
}
