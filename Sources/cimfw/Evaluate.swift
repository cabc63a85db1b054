import ArgumentParser
import BoardSupport
import CIMSimulator
import Evaluation
import Firmware
import Foundation
import KWS

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The CIM buyer's benchmark: throughput, board-level energy per inference, porting, temperature, drift and the verdict against a digital baseline, as HTML, JSON and Markdown.",
        discussion: """
        Follows "How to Benchmark CIM Hardware for Your Edge AI Workload": energy by the \
        MLPerf Tiny protocol (marker window, runs of at least 10 s, 5 runs, median), the thermal chamber at 0, 25 \
        and 60 °C, drift after an hour, a day and a month, and the rule "at least 5x less energy per inference \
        than the digital baseline, within 1 point of its accuracy". Exit status: 0 done, 1 the evaluation \
        failed on a board, 2 bad input.
        """)

    @Option(name: .customLong("board"), help: ArgumentHelp("Board file; repeat to compare boards side by side.",
                                                            discussion: "A simulated chip whose file sets [execution] both_models = true is measured twice, host-driven and on chip."))
    var boards: [String] = ["boards/sim-rram-256.toml"]

    @OptionGroup var firmware: FirmwareOption

    @Option(help: "Directory for report.html, report.json and summary.md (created if missing).")
    var out: String = "evaluation"

    @Flag(help: "A reduced run (48 clips, one 0.1 s energy run, fewer array-error vectors): a smoke test in well under a minute.")
    var quick = false

    @Option(help: "Use this many of the image's test clips (every k-th, so splits stay in proportion); default all, 48 with --quick.")
    var clips: Int?

    @OptionGroup var seed: SeedOption

    @Option(help: BatchHelp.help(default: EvaluationSettings.defaultBatch))
    var batch = EvaluationSettings.defaultBatch

    @Option(help: "Active power of one busy CPU core for the measured-CPU baseline, W (default: a Raspberry Pi 4 core, 0.93 W).")
    var cpuWatts: Double?

    @Option(help: ArgumentHelp("Boards measured at once, one per core (default: the core count when every board keeps board time; 1 when one is real hardware).",
                               discussion: "A real board's energy runs and timings are wall-clock: they are measured alone."))
    var jobs: Int?

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    func validate() throws {
        try BatchHelp.validate(batch)
        if let cpuWatts {
            guard cpuWatts.isFinite, cpuWatts > 0, cpuWatts <= 500 else {
                throw ValidationError("--cpu-watts \(cpuWatts) is invalid; expected a power in W, above 0 and at most 500")
            }
        }
        if let clips {
            guard clips >= 1 else { throw ValidationError("--clips \(clips) is invalid; expected at least 1 clip") }
        }
        if let jobs {
            guard (1...256).contains(jobs) else { throw ValidationError("--jobs \(jobs) is invalid; expected 1...256 boards at once") }
        }
    }

    func run() throws {
        var settings = quick ? EvaluationSettings.quickRun : EvaluationSettings.full
        if let cpuWatts { settings.cpuActiveWatts = cpuWatts }
        if let clips { settings.clipLimit = clips }
        settings.batch = batch
        let firmware = self.firmware.directory, seed = self.seed.value
        let image: KWSImage
        let testSet: TestSet
        do {
            image = try KWSImage.load(directory: URL(fileURLWithPath: firmware))
            testSet = try TestSet.load(directory: URL(fileURLWithPath: try FirmwareManifest.testDirectory(ofImage: firmware)),
                                       normalisation: image.normalisation, classes: image.model.outputs)
        } catch {
            throw CLIError("\(error)")
        }
        // Open every board once up front, so a bad file fails before minutes of measuring.
        var evaluators: [BoardEvaluator] = []
        var labels: [String] = []
        var allKeepBoardTime = true
        for path in boards {
            let description = try BoardFile.load(path: path)
            let boardSeed = seed ?? Self.seed(of: description)
            // A chip that can run either execution model is measured both ways.
            var executions: [String?] = [nil]
            switch description {
            case let .simulated(c) where c.execution.bothModels: executions = c.execution.modelsToEvaluate
            case let .hardware(c) where c.simulation?.execution.bothModels == true: executions = ExecutionSettings.models
            default: break
            }
            for execution in executions {
                allKeepBoardTime = try openBoard(path, seed: seed, execution: execution).clock.isVirtual && allKeepBoardTime
                // A label that says which execution, so a failure and the report's file row name it.
                let label = execution.map { "\(path) (\($0 == "on_chip" ? "on chip" : "host-driven"))" } ?? path
                evaluators.append(BoardEvaluator(boardFile: label, seed: boardSeed, image: image, settings: settings) { () throws(MeasurementFailure) -> Board in
                    do { return try openBoard(path, seed: seed, execution: execution) } catch {
                        throw .deployment(reason: "\(error)")
                    }
                })
                labels.append(label)
            }
        }
        let evaluator: Evaluator
        do { evaluator = try Evaluator(image: image, testSet: testSet, settings: settings) } catch { throw CLIError("\(error)") }
        let provenance = Provenance(
            version: CIMFW.configuration.version, generatedAt: UTCTimestamp.now(), firmware: firmware, model: image.model.summary, seed: seed,
            host: Self.hostDescription(), command: (["cimfw"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
        let clock = Date()
        let jobs = self.jobs ?? (allKeepBoardTime ? ProcessInfo.processInfo.activeProcessorCount : 1)
        let report = try evaluator.run(boards: evaluators, provenance: provenance, jobs: jobs) { board, message in
            guard !quiet else { return }
            let prefix = board < 0 ? "baseline" : "\(board + 1)/\(labels.count) \(labels[board])"
            FileHandle.standardError.write(Data((String(format: "[%6.1f s] ", Date().timeIntervalSince(clock)) + "\(prefix): \(message)\n").utf8))
        }
        let written = try ReportFiles.write(report, to: out)
        print(MarkdownSummary.render(report))
        print("wrote " + written.joined(separator: ", ") + String(format: " in %.1f s", Date().timeIntervalSince(clock)))
    }

    private static func seed(of description: BoardDescription) -> UInt64 {
        switch description {
        case let .simulated(c): return c.seed
        case let .hardware(c): return c.simulation?.seed ?? 1
        }
    }

    /// CPU model and core count: the machine the measured-CPU baseline ran on.
    private static func hostDescription() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        var name = "unknown CPU"
        if let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let value = line.split(separator: ":", maxSplits: 1).last {
            name = value.trimmingCharacters(in: .whitespaces)
        }
        return "\(name), \(ProcessInfo.processInfo.activeProcessorCount) cores"
    }
}
