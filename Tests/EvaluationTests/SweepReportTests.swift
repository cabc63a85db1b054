import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Evaluation

/// A sweep's report.html: the Pareto fronts, a pair of charts per axis, the
/// verdict point by point with what each point misses the rule by, every
/// string from a file escaped, and nothing in it but the table's numbers.
@Suite struct SweepReportTests {
    @Test func theParetoFrontKeepsThePointsNoOtherBeatsOnBothObjectives() {
        let points: [(x: Double, y: Double)] = [
            (1, 50),    // 0: front
            (2, 70),    // 1: front
            (2, 60),    // 2: same x as 1, lower y
            (3, 70),    // 3: same y as 1, higher x
            (4, 90),    // 4: front
            (2, 70),    // 5: a duplicate of 1: only the first counts
            (5, 85),    // 6: beaten by 4
            (.nan, 99), // 7: not a measurement
            (0.5, 40),  // 8: front
        ]
        #expect(ParetoFront.indices(of: points, x: .lower, y: .higher) == [8, 0, 1, 4])
        // Maximising both: only the rightmost points stand.
        #expect(ParetoFront.indices(of: points, x: .higher, y: .higher) == [4, 6])
        #expect(ParetoFront.indices(of: [], x: .lower, y: .higher).isEmpty)
    }

    @Test func whichOfTwoDuplicatesIsOnTheFrontDependsOnlyOnTheirOrder() {
        let points: [(x: Double, y: Double)] = [(3, 1), (1, 5), (1, 5), (2, 7), (2, 7)]
        #expect(ParetoFront.indices(of: points, x: .lower, y: .higher) == [1, 3])
        #expect(ParetoFront.indices(of: points.reversed(), x: .lower, y: .higher) == [2, 0])
    }

    /// Eight points on two technologies (one with a hostile file name) over a
    /// numeric axis and a text axis, one failure, one point pending.
    /// (gap to float in points, times less energy than the CPU model) per point:
    static let design: [(gap: Double, advantage: Double)] = [
        (3.0, 2), (0.5, 2), (0.0, 8), (2.0, 20),  // sim-rram-256.toml
        (0.0, 1.5), (0.8, 6), (4.0, 30), (0.0, 0.5), // the hostile one
    ]
    static let hostileBoard = "/boards/<img src=x onerror=alert(1)>&\"co\".toml"
    static let textAxis = "array.<kind>"

    static func table() throws -> SweepTable {
        let evaluated = try IdealBoardTests.report()
        let template = try #require(evaluated.boards.first)
        let baseline = evaluated.baseline
        var points: [SweepPoint] = [], rows: [(SweepPoint, SweepPointResult)] = []
        for board in ["/boards/sim-rram-256.toml", hostileBoard] {
            for bits in [6, 8] {
                for kind in ["a&b", "<c>"] {
                    let index = points.count
                    let point = SweepPoint(index: index, id: String(format: "%016x", index), baseBoard: board,
                                           settings: [.init(key: "adc.bits", value: .integer(bits)), .init(key: textAxis, value: .text(kind))],
                                           seed: 1, boardFile: "points/\(index).toml")
                    points.append(point)
                    let (gap, advantage) = design[index]
                    var b = template
                    b.accuracy.gapPoints = gap
                    b.accuracy.accelerator = b.accuracy.float - gap / 100
                    b.energy.medianJoulesPerInference = baseline.cpuModelJoulesPerInference / advantage
                    b.verdict = BoardEvaluator.verdict(accuracy: b.accuracy, energy: b.energy, baseline: baseline)
                    rows.append((point, SweepPointResult(index: index, id: point.id, board: b, baseline: baseline)))
                }
            }
        }
        for index in 8..<10 {
            points.append(SweepPoint(index: index, id: String(format: "%016x", index), baseBoard: hostileBoard,
                                     settings: [.init(key: "adc.bits", value: .integer(10)), .init(key: textAxis, value: .text("a&b"))],
                                     seed: UInt64(index), boardFile: "points/\(index).toml"))
        }
        let plan = SweepPlan(name: "report-test", spec: "/sweeps/report-test.toml", firmware: "/firmware/kws-gru", budget: .quick, clips: 24,
                             measurements: [], temperaturesCelsius: nil, axisKeys: ["adc.bits", textAxis], points: points)
        return SweepTable(plan: plan, rows: rows, failed: [SweepPointFailure(index: 8, id: points[8].id, error: "<oops> & more")],
                          pending: [points[9]])
    }

    static func svgs(in html: String) -> [String] {
        html.components(separatedBy: "<svg ").dropFirst().map { "<svg " + ($0.components(separatedBy: "</svg>").first ?? "") + "</svg>" }
    }

    @Test func theReportHasBothParetoChartsAndAnAccuracyAndAnEnergyChartPerAxis() throws {
        let table = try Self.table()
        let html = SweepReport.render(table)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        #expect(!html.contains("<script"))
        let svgs = Self.svgs(in: html)
        #expect(svgs.count == 2 + 2 * table.plan.axisKeys.count)
        for svg in svgs {
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "") in \(svg.prefix(200))")
        }
        func charts(titled title: String) -> Int { html.components(separatedBy: "aria-label=\"\(SVGChart.escape(title))\"").count - 1 }
        #expect(charts(titled: "Pareto front: energy per inference against accuracy") == 1)
        #expect(charts(titled: "Pareto front: effective TOPS/W against accuracy") == 1)
        for key in table.plan.axisKeys {
            #expect(charts(titled: "Accuracy against \(key)") == 1, "\(key)")
            #expect(charts(titled: "Energy per inference against \(key)") == 1, "\(key)")
        }
        // The front: least energy (most advantage) for its accuracy, at points 6, 3 and 2.
        #expect(html.contains("Pareto front (3 of 8 points)"))
        // Drawn as a staircase along x: three points and a corner between each two.
        for svg in svgs.prefix(2) {
            let staircase = svg.components(separatedBy: "<polyline fill=\"none\" stroke=\"#222\" stroke-width=\"2\" points=\"").dropFirst().first?
                .components(separatedBy: "\"").first ?? ""
            let xs = staircase.split(separator: " ").compactMap { $0.split(separator: ",").first.flatMap { Double($0) } }
            #expect(xs.count == 5 && xs == xs.sorted(), "\(staircase)")
        }
        // An axis chart's marker is the mean over the points at that value: here points 0 and 1.
        let float = 100 * (table.rows.first?.1.board.accuracy.float ?? 0)
        #expect(html.contains("sim-rram-256.toml, adc.bits = 6: " + String(format: "%.1f%% (2 points", float - 1.75)), "mean of gaps 3.0 and 0.5")
        #expect(html.contains("worth scaling by the CPU model (within 1 point, ≥ 5x less energy): 2 of 8 points: 2, 5"))
    }

    @Test func theVerdictTableHasARowPerPointWithWhatItMissesBy() throws {
        let html = SweepReport.render(try Self.table())
        let rows = html.components(separatedBy: "<tr class=\"").dropFirst()
        #expect(rows.count == 8)
        func firstCell(_ row: String) -> String? { row.components(separatedBy: "<td>").dropFirst().first?.components(separatedBy: "</td>").first }
        #expect(rows.compactMap(firstCell) == (0..<8).map(String.init))
        let front = rows.filter { $0.hasPrefix("yes front\"") || $0.hasPrefix("no front\"") }.compactMap(firstCell)
        #expect(front == ["2", "3", "6"])
        func row(_ index: Int) -> String { rows.first { firstCell($0) == "\(index)" } ?? "" }
        #expect(row(0).contains("not worth scaling: accuracy 3.0 points below float; only 2.00x less energy than the CPU model"), "\(row(0))")
        #expect(row(1).contains("not worth scaling: only 2.00x less energy than the CPU model") && !row(1).contains("below float"))
        #expect(row(2).hasPrefix("yes") && row(2).contains("<strong>worth scaling</strong>"))
        #expect(row(3).contains("not worth scaling: accuracy 2.0 points below float</td>"))
        #expect(row(7).contains("2.00x more energy than the CPU model"))
        #expect(row(5).hasPrefix("yes"))
    }

    @Test func stringsFromFilesAreEscaped() throws {
        let html = SweepReport.render(try Self.table())
        #expect(!html.contains("<img") && !html.contains("<c>") && !html.contains("<kind>") && !html.contains("<oops>"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;&amp;&quot;co&quot;.toml"))
        #expect(html.contains("array.&lt;kind&gt;") && html.contains("a&amp;b"))
        #expect(html.contains("&lt;oops&gt; &amp; more"))
    }

    @Test func theSameTableGivesTheSameReport() throws {
        let table = try Self.table()
        #expect(SweepReport.render(table) == SweepReport.render(table))
    }

    @Test func aSweepWithNoFinishedPointStillRendersEveryChart() throws {
        var table = try Self.table()
        table.pending += table.rows.map(\.0)
        table.rows = []
        let html = SweepReport.render(table)
        let svgs = Self.svgs(in: html)
        #expect(svgs.count == 2 + 2 * table.plan.axisKeys.count)
        for svg in svgs { #expect(XMLParser(data: Data(svg.utf8)).parse()) }
        #expect(html.contains("no point is within 1 point") == false && html.contains("0 of 0 points"))
    }
}
