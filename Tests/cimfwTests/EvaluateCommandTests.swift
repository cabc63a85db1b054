import Foundation
import Testing

/// `cimfw evaluate` as a user runs it: two boards in one report, the three
/// files, JSON that validates against the published schema, progress on
/// stderr, and bad input refused before anything is measured or written.
@Suite struct EvaluateCommandTests {
    let cli = CharacterizeCommandTests()
    static let schema = CharacterizeCommandTests.repositoryRoot.appendingPathComponent("Sources/Evaluation/Report/report.schema.json").path

    func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-evaluate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// Validates with Python's jsonschema (Debian python3-jsonschema, which .ci/run installs).
    func validate(_ json: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1])); jsonschema.Draft202012Validator.check_schema(schema)
            errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
            print("\\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])); sys.exit(1 if errors else 0)
            """, Self.schema, json]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func twoBoardsCompareInOneReportWhoseJSONValidates() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try cli.run(["evaluate", "--quick", "--clips", "8", "--board", "boards/sim-rram-256.toml",
                                  "--board", "boards/sim-sram-4bit.toml", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("1/2 boards/sim-rram-256.toml: energy run 1 of 1"), "progress is shown while it runs")
        #expect(result.stderr.contains("2/2 boards/sim-sram-4bit.toml: MVM error by array position"))
        #expect(result.stdout.contains("| metric | sim-rram-256 | sim-sram-4bit |"))
        for name in ["report.json", "report.html", "summary.md"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name)")
        }
        let validation = try validate(out + "/report.json")
        #expect(validation.status == 0, "report.json does not validate: \(validation.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any])
        let boards = try #require(json["boards"] as? [[String: Any]])
        #expect(boards.compactMap { $0["boardFile"] as? String } == ["boards/sim-rram-256.toml", "boards/sim-sram-4bit.toml"])
        #expect(boards.compactMap { $0["seed"] as? Int } == [1, 1], "each board file's seed is recorded")
        let provenance = try #require(json["provenance"] as? [String: Any])
        #expect((provenance["version"] as? String)?.isEmpty == false)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("sim-rram-256") && html.contains("sim-sram-4bit"))
    }

    /// A chip that can run either execution model is measured both ways from
    /// one board file: same predictions, less board energy on chip (the host
    /// link no longer carries every multiply), the energy model's components
    /// adding up to its truth.
    @Test func aBoardFileAllowingBothModelsIsEvaluatedBothWaysSideBySide() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try cli.run(["evaluate", "--quick", "--clips", "8", "--board", "boards/on-chip/sim-rram-256.toml", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("2/2 boards/on-chip/sim-rram-256.toml (on chip): energy run 1 of 1"))
        #expect(result.stdout.contains("| metric | sim-rram-256 (host-driven) | sim-rram-256 (on chip) |"))
        #expect(try validate(out + "/report.json").status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any])
        let boards = try #require(json["boards"] as? [[String: Any]])
        #expect(boards.count == 2)
        let throughput = boards.compactMap { $0["throughput"] as? [String: Any] }
        #expect(throughput.compactMap { $0["execution"] as? String } == ["host_driven", "on_chip"])
        let accuracy = boards.compactMap { ($0["accuracy"] as? [String: Any])?["accelerator"] as? Double }
        #expect(accuracy.count == 2 && accuracy[0] == accuracy[1], "the same arithmetic either way")
        let energy = boards.compactMap { $0["energy"] as? [String: Any] }
        let model = energy.compactMap { $0["modelJoulesPerInference"] as? Double }
        #expect(model.count == 2 && model[1] < model[0] / 5)
        for e in energy {
            let parts = try #require(e["breakdownPerInference"] as? [String: Double])
            let truth = try #require(e["modelJoulesPerInference"] as? Double)
            #expect(abs(parts.values.reduce(0, +) - truth) <= 1e-9 * truth, "one energy run: the components are its truth")
        }
    }

    @Test func theSchemaRejectsAReportWithAMissingMetric() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let broken = out + "/broken.json"
        try #"{"provenance": {}, "settings": {}, "baseline": {}}"#.write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(try validate(broken).status != 0)
    }

    @Test func aBadBoardFileExits2NamingItAndWritesNothing() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let bad = try cli.smallBoard("adc.bits = 99\n")
        let result = try cli.run(["evaluate", "--quick", "--board", "boards/sim-rram-256.toml", "--board", bad, "--out", out])
        #expect(result.status == 2)
        #expect(result.stderr.contains("adc.bits") && result.stderr.contains("99"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }

    @Test func aMissingFirmwareImageAndABadOptionExit2() throws {
        let missing = try cli.run(["evaluate", "--firmware", "/nonexistent/image", "--out", try temporaryDirectory()])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/image"), "\(missing.stderr)")
        let clips = try cli.run(["evaluate", "--clips", "0"])
        #expect(clips.status == 2 && clips.stderr.contains("--clips 0"), "\(clips.stderr)")
        let watts = try cli.run(["evaluate", "--cpu-watts=-1"])
        #expect(watts.status == 2 && watts.stderr.contains("--cpu-watts"), "\(watts.stderr)")
        for command in ["evaluate", "accuracy"] {
            let batch = try cli.run([command, "--batch", "0"])
            #expect(batch.status == 2 && batch.stderr.contains("--batch 0 is invalid; expected 1...1024"), "\(command): \(batch.stderr)")
        }
    }
}
