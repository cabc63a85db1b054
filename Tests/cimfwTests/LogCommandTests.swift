import Foundation
import Testing

/// `cimfw run` writing the SQLite store, and `cimfw log export --csv` reading it.
@Suite("cimfw log export", .serialized)
struct LogCommandTests {
    typealias CLI = CharacterizeCommandTests

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a run's store exports to the CSV a --log FILE.csv run writes, apart from the wall clock")
    func exportEqualsTheCSVFileOfTheSameRun() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("energy.sqlite").path
        let csv = dir.appendingPathComponent("energy.csv").path
        let out = dir.appendingPathComponent("export.csv").path
        for log in [store, csv] {
            let run = try CLI().run(["run", "--duration", "90s", "--quiet", "--log", log, "--seed", "3"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let export = try CLI().run(["log", "export", store, "--csv", "--out", out])
        #expect(export.status == 0, "\(export.stderr)")
        func withoutWallTime(_ path: String) throws -> [String] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
                var fields = line.split(separator: ",", omittingEmptySubsequences: false)
                fields.remove(at: 1)
                return fields.joined(separator: ",")
            }
        }
        let exported = try withoutWallTime(out)
        #expect(exported.first == RunCommandTests.header.replacingOccurrences(of: ",wall_time", with: ""))
        #expect(exported.filter { $0.contains(",inference,") }.count == 360)
        #expect(exported == (try withoutWallTime(csv)))
        let stdout = try CLI().run(["log", "export", store, "--csv"])
        #expect(stdout.stdout == (try String(contentsOfFile: out, encoding: .utf8)), "standard output holds the same CSV")
    }

    @Test("a missing store, a CSV log, or no --csv is refused with status 2, naming what is wrong")
    func badInput() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nothing.sqlite").path
        let noFile = try CLI().run(["log", "export", missing, "--csv"])
        #expect(noFile.status == 2 && noFile.stderr.contains(missing), "\(noFile.stderr)")
        let csvLog = try CLI().run(["log", "export", dir.appendingPathComponent("energy.csv").path, "--csv"])
        #expect(csvLog.status == 2 && csvLog.stderr.contains("CSV"), "\(csvLog.stderr)")
        let noFormat = try CLI().run(["log", "export", missing])
        #expect(noFormat.status == 2 && noFormat.stderr.contains("--csv"), "\(noFormat.stderr)")
        let garbage = dir.appendingPathComponent("garbage.sqlite").path
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: garbage))
        let notADatabase = try CLI().run(["log", "export", garbage, "--csv"])
        #expect(notADatabase.status == 2 && notADatabase.stderr.contains(garbage), "\(notADatabase.stderr)")
    }
}
