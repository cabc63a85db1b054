import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Evaluation

/// The three files a run writes: JSON that decodes back to the same report,
/// HTML whose every plot is well-formed SVG, and a Markdown summary.
@Suite struct ReportRenderingTests {
    @Test func theJSONDecodesBackToTheSameReport() throws {
        let report = try IdealBoardTests.report()
        let data = try ReportFiles.json(report)
        #expect(try JSONDecoder().decode(EvaluationReport.self, from: data) == report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["provenance", "settings", "baseline", "boards"])
    }

    @Test func everyPlotInTheHTMLIsWellFormedSVG() throws {
        let report = try IdealBoardTests.report()
        let html = HTMLReport.render(report)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        let svgs = html.components(separatedBy: "<svg ").dropFirst().map { "<svg " + ($0.components(separatedBy: "</svg>").first ?? "") + "</svg>" }
        // Per board an energy histogram and a heat map; then energy against the baselines, temperature, time, throughput.
        #expect(svgs.count == 2 * report.boards.count + 4)
        for svg in svgs {
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "") in \(svg.prefix(200))")
        }
        for title in ["Energy per inference", "Accuracy against temperature", "Accuracy against time", "Peak against effective", "MVM error by array position"] {
            #expect(html.contains(title), "\(title)")
        }
        #expect(html.contains(report.boards[0].boardFile) && html.contains("seed"))
    }

    @Test func theSummaryLeadsWithTheVerdictAndTheTable() throws {
        let report = try IdealBoardTests.report()
        let md = MarkdownSummary.render(report)
        #expect(md.contains("## Verdict") && md.contains("## Side by side"))
        #expect(md.contains(report.boards[0].verdict.worthScaling ? "worth scaling" : "not worth scaling"))
        let tableRows = md.split(separator: "\n").filter { $0.hasPrefix("| ") }
        #expect(tableRows.count == ComparisonTable.rows(report).count + 1)
    }

    @Test func textInPlotsIsEscaped() {
        let svg = SVGChart.line(title: "a < b & \"c\"", x: .init(label: "x"), y: .init(label: "y"),
                                series: [.init(name: "<s>", points: [(0, 1), (1, 2)])])
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        #expect(svg.contains("a &lt; b &amp; &quot;c&quot;"))
    }

    @Test func writingIntoAFileThatIsNotADirectoryFailsNamingIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-eval-\(UUID().uuidString)").path
        try "x".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try IdealBoardTests.report()
        #expect(throws: ReportFiles.WriteError.self) { try ReportFiles.write(report, to: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "x", "nothing was overwritten")
    }
}
