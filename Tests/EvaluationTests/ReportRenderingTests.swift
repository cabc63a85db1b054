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
        let svg = SVGChart.plot(title: "a < b & \"c\"", x: .init(label: "x"), y: .init(label: "y"),
                                series: [.init(name: "<s>", points: [(0, 1), (1, 2)]),
                                         .init(name: "front", points: [(0, 1), (1, 2)], style: .steps),
                                         .init(name: "scatter", points: [(0, 1), (1, 2)], style: .markers, labels: ["<p0>", "p1 & more"])])
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        #expect(svg.contains("a &lt; b &amp; &quot;c&quot;"))
        #expect(svg.contains("<title>&lt;p0&gt;</title>") && svg.contains("<title>p1 &amp; more</title>"))
    }

    @Test func tickLabelsCarryThePrecisionOfTheirStep() {
        #expect(SVGChart.ticks(139.0...139.4, log: false).map(\.label) == ["139.0", "139.1", "139.2", "139.3", "139.4"])
        #expect(SVGChart.ticks(0...250, log: false).map(\.label) == ["0", "50", "100", "150", "200", "250"])
        #expect(SVGChart.ticks(-0.02...0.02, log: false).map(\.label) == ["-0.02", "-0.01", "0.00", "0.01", "0.02"])
        #expect(SVGChart.ticks(0...1, log: false).map(\.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(SVGChart.ticks(1...100, log: true).map(\.label) == ["1", "2", "5", "10", "20", "50", "100"])
        #expect(SVGChart.ticks(1e-3...1e3, log: true).map(\.label) == ["0.001", "0.01", "0.1", "1", "10", "100", "1000"])
    }

    /// Energies that differ by percents fill a log axis instead of sitting on one line of a decade.
    @Test func aLogAxisFitsItsValues() {
        #expect(SVGChart.span([1.3, 870], log: true) == 1...1000)
        #expect(SVGChart.span([3, 45], log: true) == 2...50)
        let narrow = SVGChart.span([207.9, 215.3], log: true)
        #expect(narrow.lowerBound > 190 && narrow.lowerBound < 207.9 && narrow.upperBound > 215.3 && narrow.upperBound < 235, "\(narrow)")
        let labels = SVGChart.ticks(narrow, log: true).map(\.label)
        #expect(labels.count >= 3 && Set(labels).count == labels.count, "\(labels)")
    }

    /// What `cimfw evaluate` printed as five ticks all "139".
    @Test func aNarrowEnergyHistogramHasDistinctTicks() {
        let values = (0..<300).map { 139.0 + 0.4 * Double($0 % 100) / 99 }
        let svg = SVGChart.histogram(title: "energy", x: .init(label: "µJ"), series: [("board", values)])
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        let labels = Self.elements("text", in: svg).filter { $0.attributes["text-anchor"] == "middle" && $0.attributes["font-size"] == "11" }.map(\.text)
        #expect(labels == ["139.0", "139.1", "139.2", "139.3", "139.4"], "\(labels)")
    }

    @Test func aHistogramIsTouchingBarsWhoseCountsAddUpToTheSamples() throws {
        let first = (0..<300).map { 10 + Double($0 % 97) / 9.6 }, second = (0..<120).map { 12 + Double($0 % 50) / 10 }
        let svg = SVGChart.histogram(title: "two series", x: .init(label: "µJ"), series: [("a", first), ("b", second)], bins: 20)
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        let bars = Self.elements("rect", in: svg).filter { $0.attributes["class"] == "bin" }
        for (name, values) in [("a", first), ("b", second)] {
            let mine = bars.filter { $0.text.hasPrefix("\(name): ") }
            let counts = mine.compactMap { bar in bar.text.components(separatedBy: ": ").last?.components(separatedBy: " of ").first.flatMap { Int($0) } }
            #expect(counts.count == mine.count && !mine.isEmpty)
            #expect(counts.reduce(0, +) == values.count, "\(name)")
            #expect(mine.allSatisfy { $0.text.hasSuffix(" of \(values.count)") && $0.attributes["fill-opacity"] == "0.5" })
            // Neighbouring bins touch: each bar starts where the one before it ends.
            let spans = mine.compactMap { bar in Double(bar.attributes["x"] ?? "").flatMap { x in Double(bar.attributes["width"] ?? "").map { (x, x + $0) } } }
            for (left, right) in zip(spans, spans.dropFirst()) where right.0 - left.1 < 5 {
                #expect(abs(right.0 - left.1) <= 0.011, "\(left) \(right)")
            }
        }
        // The first series covers 10 to 20 evenly: no bin of it is empty.
        #expect(bars.filter { $0.text.hasPrefix("a: ") }.count == 20)
    }

    /// The elements named `name` (not nested in each other), with their attributes and their text, titles included.
    static func elements(_ name: String, in svg: String) -> [(attributes: [String: String], text: String)] {
        final class Collector: NSObject, XMLParserDelegate {
            let name: String
            var found: [(attributes: [String: String], text: String)] = []
            var open = false
            init(_ name: String) { self.name = name }
            func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if element == name { found.append((attributes, "")); open = true }
            }
            func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
                if element == name { open = false }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) {
                if open, !found.isEmpty { found[found.count - 1].text += string }
            }
        }
        let collector = Collector(name)
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        _ = parser.parse()
        return collector.found
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
