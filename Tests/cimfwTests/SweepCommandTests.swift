import Foundation
import Testing

/// `cimfw sweep` as a user runs it: a spec planned into points with stable
/// IDs, every point's board checked up front, points evaluated in parallel
/// worker processes, results the same bits whichever process computed them,
/// and bad input refused with the file, key, value and what was expected.
@Suite struct SweepCommandTests {
    let cli = CharacterizeCommandTests()
    static let root = CharacterizeCommandTests.repositoryRoot.path

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Two ADC resolutions on sim-rram-256 with 128x128 tiles, one seed, 8 clips: two points.
    func spec(in directory: URL, axes: String = "\"adc.bits\" = [6, 8]", seeds: String = "[3]", extra: String = "") throws -> String {
        let board = directory.appendingPathComponent("small.toml").path
        try "inherits = \"\(Self.root)/boards/sim-rram-256.toml\"\n[geometry]\nrows = 128\ncolumns = 128\n"
            .write(toFile: board, atomically: true, encoding: .utf8)
        let path = directory.appendingPathComponent("spec.toml").path
        try """
            firmware = "\(Self.root)/firmware/kws-gru"
            boards = ["small.toml"]
            seeds = \(seeds)
            clips = 8
            \(extra)
            [axes]
            \(axes)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aPlannedSweepRunsInWorkersAndGivesTheSameCSVAndReportWhicheverProcessComputedAPoint() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("sweep").path
        let plan = try cli.run(["sweep", "plan", try spec(in: directory), "--out", out])
        #expect(plan.status == 0 && plan.stdout.contains("2 points in"), "\(plan.stderr)")
        let pointFiles = try FileManager.default.contentsOfDirectory(atPath: out + "/points").sorted()
        #expect(pointFiles.count == 2)
        let text = try String(contentsOfFile: out + "/points/" + pointFiles[0], encoding: .utf8)
        #expect(text.contains("inherits = \"\(directory.path)/small.toml\"") && text.contains("[board]\nseed = 3"))

        let run = try cli.run(["sweep", "run", out, "--jobs", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("2/2 points, 0 failed, 2 jobs"), "progress is shown")
        let csv = try String(contentsOfFile: out + "/results.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("index,id,board,adc.bits,seed,accuracy_float_percent,accuracy_board_percent"))
        #expect(lines[1].hasPrefix("0,") && lines[1].contains(",small.toml,6,3,") && lines[2].contains(",small.toml,8,3,"))
        #expect(FileManager.default.fileExists(atPath: out + "/summary.md"))
        let report = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(report.contains("Pareto front: energy per inference against accuracy") && report.contains("Accuracy against adc.bits"))
        #expect(report.components(separatedBy: "<tr class=\"").count - 1 == 2, "a verdict row per point")

        // Planning again keeps both results; a point computed again, alone, gives the same bits.
        let again = try cli.run(["sweep", "plan", try spec(in: directory), "--out", out])
        #expect(again.stdout.contains("(2 already done)"), "\(again.stdout)")
        let results = try FileManager.default.contentsOfDirectory(atPath: out + "/results").filter { $0.hasSuffix(".json") }
        try FileManager.default.removeItem(atPath: out + "/results/" + results.sorted()[0])
        #expect(try cli.run(["sweep", "status", out]).stdout.contains("2 points: 1 done, 0 failed, 1 pending"))
        #expect(try cli.run(["sweep", "run", out, "--jobs", "1"]).status == 0)
        #expect(try String(contentsOfFile: out + "/results.csv", encoding: .utf8) == csv)
        #expect(try String(contentsOfFile: out + "/report.html", encoding: .utf8) == report, "report.html is the same file too")
    }

    @Test func thePointsShareOneDigitalBaselineMeasuredByTheFirst() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("sweep").path
        #expect(try cli.run(["sweep", "plan", try spec(in: directory), "--out", out]).status == 0)
        let first = try cli.run(["sweep", "point", out, "--index", "0"])
        #expect(first.status == 0 && first.stderr.contains("digital baseline"), "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/baseline.json"))
        let second = try cli.run(["sweep", "point", out, "--index", "1"])
        #expect(second.status == 0 && !second.stderr.contains("digital baseline"), "\(second.stderr)")

        func baseline(_ file: String) throws -> String {
            let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any]
            let data = try JSONSerialization.data(withJSONObject: object?["baseline"] ?? [:], options: .sortedKeys)
            return String(decoding: data, as: UTF8.self)
        }
        let results = try FileManager.default.contentsOfDirectory(atPath: out + "/results").filter { $0.hasSuffix(".json") }
        #expect(results.count == 2)
        #expect(try Set(results.map { try baseline(out + "/results/" + $0) }).count == 1, "both points carry the one baseline")
    }

    @Test func aPointWhoseBoardCannotBeBuiltIsRefusedAtPlanTime() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let specPath = try spec(in: directory, axes: "\"adc.bits\" = [6, 40]")
        let result = try cli.run(["sweep", "plan", specPath, "--out", directory.appendingPathComponent("sweep").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(specPath): point 1 (small.toml, adc.bits = 40, seed 3) is not a valid board")
                && result.stderr.contains("key 'adc.bits': value 40 is invalid; expected an integer in 4...12"), "\(result.stderr)")
    }

    /// NOR flash behind a 6-bit ADC cannot be scanned for stuck cells: the point fails when it runs.
    @Test func aFailedPointIsListedWithAnErrorThatDoesNotDependOnWhereTheDirectoryIs() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let board = directory.appendingPathComponent("flash.toml").path
        try "inherits = \"\(Self.root)/boards/sim-nor-flash.toml\"\n".write(toFile: board, atomically: true, encoding: .utf8)
        let specPath = directory.appendingPathComponent("spec.toml").path
        try """
            firmware = "\(Self.root)/firmware/kws-gru"
            boards = ["flash.toml"]
            seeds = [1]
            clips = 8
            [axes]
            "adc.bits" = [6]
            """.write(toFile: specPath, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("sweep").path
        #expect(try cli.run(["sweep", "plan", specPath, "--out", out]).status == 0)
        let run = try cli.run(["sweep", "run", out, "--jobs", "1"])
        #expect(run.status == 1, "\(run.stderr)")
        let status = try cli.run(["sweep", "status", out])
        #expect(status.stdout.contains("1 points: 0 done, 1 failed, 0 pending"), "\(status.stdout)")
        #expect(status.stdout.contains("failed  point 0") && status.stdout.contains(": points/")
                && status.stdout.contains("too little to tell a stuck cell"), "\(status.stdout)")
        #expect(!status.stdout.contains(directory.path), "the error names files from the sweep directory")
        let report = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(report.contains("too little to tell a stuck cell") && !report.contains(out + "/points/"), "the failures table too")
    }

    @Test(arguments: [
        ("budget = \"fast\"", "key 'budget': value \"fast\" is invalid; expected \"quick\" (cimfw evaluate --quick) or \"full\""),
        ("seeds = [1, 1]", "key 'seeds': value [ 1, 1 ] is invalid; expected distinct seeds"),
        ("measurements = [\"power\"]", "key 'measurements': value \"power\" is invalid; expected one of \"temperature\", \"drift\", \"mvm_error\""),
        ("colour = 3", "key 'colour': unknown key"),
        ("batch = 0", "key 'batch': value 0 is invalid; expected an integer in 1...1024 (test clips through the model together)"),
    ])
    func aBadSpecKeyIsNamedWithItsValueAndWhatWasExpected(line: String, message: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let specPath = line.hasPrefix("seeds = ")
            ? try spec(in: directory, seeds: String(line.dropFirst("seeds = ".count)))
            : try spec(in: directory, extra: line)
        let result = try cli.run(["sweep", "plan", specPath, "--out", directory.appendingPathComponent("sweep").path])
        #expect(result.status == 2 && result.stderr.contains("\(specPath): \(message)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("sweep/plan.json").path), "nothing is written")
    }

    @Test func rangesAndSeedsMultiply() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let specPath = try spec(in: directory, axes: "adc.bits = { from = 6, to = 10, step = 2 }\n\"read_noise.sigma_relative\" = [0.01, 0.02]",
                                seeds: "[1, 2]")
        let out = directory.appendingPathComponent("sweep").path
        let result = try cli.run(["sweep", "plan", specPath, "--out", out])
        #expect(result.status == 0 && result.stdout.contains("12 points in \(out) (0 already done): 1 boards x 3 adc.bits x 2 read_noise.sigma_relative x 2 seeds"), "\(result.stdout)\(result.stderr)")
        let index = try cli.run(["sweep", "point", out, "--index", "12"])
        #expect(index.status == 2 && index.stderr.contains("--index 12 is invalid; expected 0...11"), "\(index.stderr)")
    }

    /// `submit --slurm` against stand-ins for sbatch, scontrol and squeue that
    /// record what they were asked: chunks of at most MaxArraySize points, one
    /// array task per point, the options passed through, the job IDs kept.
    @Test func submitWritesOneArrayPerChunkOfMaxArraySizePoints() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bin = directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let calls = directory.appendingPathComponent("sbatch-calls").path
        let fakes = [
            "sbatch": "echo \"$@\" >> '\(calls)'; echo $((100 + $(wc -l < '\(calls)')))",
            "scontrol": "echo 'MaxArraySize            = 2'",
            "squeue": "exit 0",
        ]
        for (name, body) in fakes {
            let path = bin.appendingPathComponent(name).path
            try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        let out = directory.appendingPathComponent("sweep").path
        #expect(try cli.run(["sweep", "plan", try spec(in: directory, axes: "\"adc.bits\" = [6, 7, 8]"), "--out", out]).status == 0)

        let process = Process()
        process.executableURL = CharacterizeCommandTests.executable
        process.arguments = ["sweep", "submit", out, "--slurm", "--max-parallel", "4", "--partition", "short", "--time", "10:00"]
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let printed = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(printed)")
        #expect(printed.contains("submitted job array 101: 2 points") && printed.contains("submitted job array 102: 1 points"), "\(printed)")
        let script = try String(contentsOfFile: out + "/slurm/submit-0-0.sh", encoding: .utf8)
        for line in ["#SBATCH --array=0-1%4", "#SBATCH --partition=short", "#SBATCH --time=10:00",
                     "index=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" '\(out)/slurm/submit-0-0.indices')",
                     "sweep point '\(out)' --index \"$index\" --quiet"] {
            #expect(script.contains(line), "\(line) in\n\(script)")
        }
        #expect(try String(contentsOfFile: out + "/slurm/submit-0-1.indices", encoding: .utf8) == "2\n")
        #expect(try String(contentsOfFile: calls, encoding: .utf8).split(separator: "\n").count == 2)
        let jobs = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/slurm/jobs.json"))) as? [String: Any])
        #expect((jobs["submissions"] as? [[Any]])?.first?.count == 2)

        let noEngine = try cli.run(["sweep", "submit", out])
        #expect(noEngine.status == 2 && noEngine.stderr.contains("submit needs --slurm"), "\(noEngine.stderr)")
    }
}
