import Foundation
import Testing

/// `cimfw characterize` as a user runs it: exit status, output, errors.
@Suite struct CharacterizeCommandTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The executable SwiftPM built next to this test bundle.
    static var executable: URL {
        var directory = Bundle.main.bundleURL
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("cimfw").path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("cimfw")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ arguments: [String], stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = Self.repositoryRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        if let input { process.standardInput = input }
        try process.run()
        if let input, let stdin {
            try input.fileHandleForWriting.write(contentsOf: stdin)
            try input.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A copy of a preset shrunk to a small tile, so the command runs fast in a debug build.
    func smallBoard(_ extra: String = "") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let preset = Self.repositoryRoot.appendingPathComponent("boards/sim-rram-256.toml").path
        let path = directory.appendingPathComponent("small.toml").path
        try "inherits = \"\(preset)\"\ngeometry.rows = 64\ngeometry.columns = 32\n\(extra)".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func jsonReportCarriesEveryFigureTheIssueNames() throws {
        let result = try run(["characterize", "--board", try smallBoard(), "--vectors", "8", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let total = try #require(json["total"] as? [String: Double])
        #expect((total["beforeCalibration"] ?? 0) > 0 && (total["afterCalibration"] ?? 0) > 0)
        let perEffect = try #require(json["perEffect"] as? [[String: Any]])
        #expect(perEffect.count == 10, "every effect of the RRAM preset is on")
        let throughput = try #require(json["throughput"] as? [String: Double])
        for key in ["peakTOPSPerTile", "peakTOPSChip", "effectiveTOPS", "coreTOPSPerWatt", "chipTOPSPerWatt", "publishedTOPSPerWatt",
                    "derivedOverPublished", "systemTOPSPerWatt"] {
            #expect((throughput[key] ?? 0) > 0, "\(key)")
        }
        #expect((json["programming"] as? [String: Any])?["totalPulses"] as? Int ?? 0 > 0)
        #expect((json["energy"] as? [String: Any])?["systemJoulesPerMVM"] as? Double ?? 0 > 0)
        #expect(json["seed"] as? Int == 1)
    }

    @Test func theSameSeedPrintsTheSameReportAndAnotherSeedDoesNot() throws {
        let board = try smallBoard()
        let a = try run(["characterize", "--board", board, "--vectors", "4", "--json", "--seed", "5"])
        let b = try run(["characterize", "--board", board, "--vectors", "4", "--json", "--seed", "5"])
        let c = try run(["characterize", "--board", board, "--vectors", "4", "--json", "--seed", "6"])
        #expect(a.status == 0 && a.stdout == b.stdout)
        #expect(a.stdout != c.stdout)
    }

    @Test func humanReadableOutputNamesTheBoardAndEachEffect() throws {
        let result = try run(["characterize", "--board", try smallBoard(), "--vectors", "4"])
        #expect(result.status == 0)
        for text in ["sim-rram-256", "before cal", "ir_drop", "read_noise", "TOPS/W", "Digital baseline"] {
            #expect(result.stdout.contains(text), "missing \(text)")
        }
    }

    @Test func aBadBoardFileFailsWithItsFileKeyAndValue() throws {
        let board = try smallBoard("adc.bits = 40\n")
        let result = try run(["characterize", "--board", board])
        #expect(result.status == 2, "bad input exits 2")
        #expect(result.stdout.isEmpty, "nothing half-written to stdout")
        for text in [board, "adc.bits", "40", "4...12"] { #expect(result.stderr.contains(text), "stderr lacks \(text): \(result.stderr)") }
    }

    @Test func aMissingBoardFileFailsClearly() throws {
        let result = try run(["characterize", "--board", "/nonexistent/board.toml"])
        #expect(result.status == 2, "bad input exits 2")
        #expect(result.stderr.contains("/nonexistent/board.toml"))
    }
}
