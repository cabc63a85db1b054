import Foundation

/// Writes report.json, report.html and summary.md into a directory. Each
/// file is written whole to a temporary name and renamed over the old one,
/// so an interrupted run leaves the previous report, never half of one.
public enum ReportFiles {
    public static let names = (json: "report.json", html: "report.html", markdown: "summary.md")

    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): cannot write the report: \(reason)" }
    }

    public static func json(_ report: EvaluationReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(report)
    }

    /// Returns the paths written.
    @discardableResult
    public static func write(_ report: EvaluationReport, to directory: String) throws(WriteError) -> [String] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw WriteError(path: directory, reason: "it exists and is not a directory") }
        } else {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw WriteError(path: directory, reason: "cannot create the directory: \(error.localizedDescription)")
            }
        }
        let base = URL(fileURLWithPath: directory)
        let jsonData: Data
        do { jsonData = try json(report) } catch {
            throw WriteError(path: base.appendingPathComponent(names.json).path, reason: "\(error)")
        }
        let files: [(String, Data)] = [
            (names.json, jsonData),
            (names.html, Data(HTMLReport.render(report).utf8)),
            (names.markdown, Data(MarkdownSummary.render(report).utf8)),
        ]
        var written: [String] = []
        for (name, data) in files {
            let url = base.appendingPathComponent(name)
            do { try data.write(to: url, options: .atomic) } catch {
                throw WriteError(path: url.path, reason: error.localizedDescription)
            }
            written.append(url.path)
        }
        return written
    }
}
