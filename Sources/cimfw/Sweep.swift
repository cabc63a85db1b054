import ArgumentParser
import Dispatch
import Evaluation
import Firmware
import Foundation
import KWS

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Design-space sweeps: `cimfw evaluate` over board-file keys and seeds, in parallel and resumable.",
        discussion: """
        A sweep spec (TOML, see sweeps/ and docs/sweeps.md) names base board files, a firmware image, axes \
        over board-file keys, seeds and what to measure. `plan` expands it into points in a directory; `run` \
        evaluates every point not yet done in N worker processes; `point` evaluates one (what a cluster task \
        runs); `submit --slurm` hands them to a cluster as job arrays; `status` and `collect` follow and \
        gather the results into results.csv, summary.md and report.html (the Pareto front of energy against \
        accuracy, each axis per technology, the verdict per point). \
        Exit status: 0 done, 1 a point failed, 2 bad input, 130 interrupted.
        """,
        subcommands: [Plan.self, RunPoints.self, Point.self, Submit.self, Status.self, Collect.self])

    struct Directory: ParsableArguments {
        @Argument(help: "The sweep directory `cimfw sweep plan` wrote.")
        var directory: String

        func plan() throws -> SweepPlan {
            do { return try SweepPlan.load(directory: directory) } catch { throw CLIError("\(error)") }
        }
    }

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Expand a sweep spec into points (a derived board file each, checked up front) in a directory.")

        @Argument(help: "The sweep spec (TOML).")
        var spec: String

        @Option(help: "The sweep directory (created if missing; results of points planned before are kept).")
        var out: String

        func run() throws {
            let plan: SweepPlan
            do { plan = try SweepPlan.write(try SweepSpec.load(path: spec), to: out) } catch { throw CLIError("\(error)") }
            let table = SweepTable.read(plan, directory: out)
            print("\(plan.points.count) points in \(out) (\(table.rows.count) already done): "
                  + "\(Set(plan.points.map(\.baseBoard)).count) boards x "
                  + plan.axisKeys.map { key in "\(Set(plan.points.compactMap { $0.settings.first { $0.key == key }?.value }).count) \(key)" }.joined(separator: " x ")
                  + (plan.axisKeys.isEmpty ? "" : " x ") + "\(Set(plan.points.map(\.seed)).count) seeds")
        }
    }

    struct Point: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate one point of a sweep and write its result (what `sweep run` and a cluster task call).")

        @OptionGroup var directory: Directory

        @Option(help: "The point's index in the plan (0-based; a Slurm array task passes $SLURM_ARRAY_TASK_ID).")
        var index: Int

        @Flag(help: "No progress lines on stderr.")
        var quiet = false

        func run() throws {
            let plan = try directory.plan()
            guard plan.points.indices.contains(index) else {
                throw CLIError("--index \(index) is invalid; expected 0...\(plan.points.count - 1) (the plan has \(plan.points.count) points)")
            }
            let point = plan.points[index], dir = directory.directory
            let resultPath = SweepPointResult.path(of: point, in: dir)
            if FileManager.default.fileExists(atPath: resultPath) {
                if !quiet { FileHandle.standardError.write(Data("point \(index) (\(point.id)) is done already\n".utf8)) }
                return
            }
            let image: KWSImage, testSet: TestSet
            do {
                image = try KWSImage.load(directory: URL(fileURLWithPath: plan.firmware))
                testSet = try TestSet.load(directory: URL(fileURLWithPath: try FirmwareManifest.testDirectory(ofImage: plan.firmware)),
                                           normalisation: image.normalisation, classes: image.model.outputs)
            } catch {
                throw CLIError("\(error)")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            do {
                let result = try SweepPointResult.measure(point, of: plan, in: dir, image: image, testSet: testSet) { message in
                    if !quiet { FileHandle.standardError.write(Data("point \(index): \(message)\n".utf8)) }
                }
                do {
                    // results/ may have been cleared by hand to measure points again.
                    try FileManager.default.createDirectory(atPath: (resultPath as NSString).deletingLastPathComponent,
                                                            withIntermediateDirectories: true)
                    try encoder.encode(result).write(to: URL(fileURLWithPath: resultPath), options: .atomic)
                } catch {
                    throw CLIError.failure("cannot write point \(index)'s result to \(resultPath): \(error.localizedDescription)")
                }
                try? FileManager.default.removeItem(atPath: SweepPointResult.errorPath(of: point, in: dir))
            } catch let error as EvaluationError {
                // Paths inside the sweep directory are given from it, so the error reads the same
                // wherever the directory is mounted (and results.csv, summary.md and report.html
                // do not depend on it).
                var message = "\(error)"
                let prefixes = Set([dir, URL(fileURLWithPath: dir).path, URL(fileURLWithPath: dir).standardizedFileURL.path])
                for prefix in prefixes.sorted(by: { $0.count > $1.count }) {  // the absolute forms first
                    message = message.replacingOccurrences(of: prefix.hasSuffix("/") ? prefix : prefix + "/", with: "")
                }
                let failure = SweepPointFailure(index: index, id: point.id, error: message)
                try? encoder.encode(failure).write(to: URL(fileURLWithPath: SweepPointResult.errorPath(of: point, in: dir)), options: .atomic)
                throw CLIError.failure("point \(index) (\(point.id)): \(error)")
            }
        }
    }

    struct RunPoints: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Evaluate every point not yet done, in parallel worker processes; Ctrl-C stops and keeps what is done.")

        @OptionGroup var directory: Directory

        @Option(help: "Worker processes (default: the number of cores).")
        var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

        func validate() throws {
            guard (1...1024).contains(jobs) else { throw ValidationError("--jobs \(jobs) is invalid; expected 1...1024 worker processes") }
        }

        func run() throws {
            let plan = try directory.plan(), dir = directory.directory
            let before = SweepTable.read(plan, directory: dir)
            let todo = before.unfinished
            let pool = WorkerPool(executable: Self.executable, directory: dir, jobs: jobs, total: plan.points.count,
                                  alreadyDone: plan.points.count - todo.count)
            let outcome = pool.run(todo)
            let table = SweepTable.read(plan, directory: dir)
            try Collect.write(table, to: dir)
            print(table.summary)
            if outcome.interrupted {
                var error = CLIError("interrupted: \(table.rows.count) of \(plan.points.count) points done; `cimfw sweep run \(dir)` continues")
                error.exitStatus = 130
                throw error
            }
            if !table.failed.isEmpty { throw CLIError.failure("\(table.failed.count) points failed (listed in \(dir)/summary.md)") }
        }

        /// This executable, for the workers.
        static var executable: String {
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How many points are done, failed and pending (and, after submit, still queued in Slurm); the failures with their errors.")

        @OptionGroup var directory: Directory

        @Flag(help: "Wait until Slurm holds none of the submitted array tasks.")
        var wait = false

        @Option(help: "With --wait, give up after this long (e.g. 30m); exit status 1.")
        var timeout: TimeSpan = TimeSpan(seconds: 24 * 3600, text: "24h")

        func validate() throws {
            try TimeSpan.validatePositive(timeout, option: "timeout")
        }

        func run() throws {
            let plan = try directory.plan()
            let jobs = SlurmJobs.load(URL(fileURLWithPath: directory.directory).appendingPathComponent("slurm"))
            let deadline = Date().addingTimeInterval(timeout.seconds)
            var queued = jobs.queued()
            while wait, let q = queued, !q.isEmpty {
                guard Date() < deadline else {
                    throw CLIError.failure("--timeout \(timeout): Slurm still holds \(q.values.reduce(0, +)) tasks of the sweep")
                }
                Thread.sleep(forTimeInterval: 1)
                queued = jobs.queued()
            }
            let table = SweepTable.read(plan, directory: directory.directory)
            print("\(plan.points.count) points: \(table.rows.count) done, \(table.failed.count) failed, \(table.pending.count) pending")
            if !jobs.submissions.isEmpty {
                if let q = queued {
                    print("slurm: " + (q.isEmpty ? "no task queued or running" : q.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.lowercased())" }.joined(separator: ", ")))
                } else {
                    print("slurm: squeue is not available here; the queue cannot be shown")
                }
            }
            for f in table.failed { print("failed  point \(f.index) (\(f.id)): \(f.error)") }
        }
    }

    struct Collect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Gather the results into results.csv, summary.md and report.html.",
            discussion: """
            results.csv: one row per finished point. summary.md: the best points and the failures. report.html: \
            one self-contained file (no script) with the Pareto front of energy per inference and of effective \
            TOPS/W against accuracy, accuracy and energy against each axis per technology, and the verdict per point. \
            All three are written whole or not at all, and depend only on the results: the same plan gives the \
            same files on any machine.
            """)

        @OptionGroup var directory: Directory

        func run() throws {
            let table = SweepTable.read(try directory.plan(), directory: directory.directory)
            try Self.write(table, to: directory.directory)
            print(table.summary)
        }

        static func write(_ table: SweepTable, to directory: String) throws {
            let root = URL(fileURLWithPath: directory)
            do {
                try Data(table.csv.utf8).write(to: root.appendingPathComponent("results.csv"), options: .atomic)
                try Data(table.summary.utf8).write(to: root.appendingPathComponent("summary.md"), options: .atomic)
                try Data(SweepReport.render(table).utf8).write(to: root.appendingPathComponent("report.html"), options: .atomic)
            } catch {
                throw CLIError.failure("cannot write the results into \(directory): \(error.localizedDescription)")
            }
        }
    }
}

/// Runs `cimfw sweep point` for each point, `jobs` at a time, with a progress
/// line; SIGINT stops launching and interrupts the running workers, whose
/// points stay pending (a result is written whole or not at all). Its
/// mutable state is guarded by `lock` (hence `@unchecked Sendable`).
final class WorkerPool: @unchecked Sendable {
    let executable: String, directory: String, jobs: Int, total: Int
    private var done: Int
    private var failed = 0
    private let lock = NSLock()
    private var finished: [(point: SweepPoint, status: Int32)] = []
    private var running: [Int: Process] = [:]
    private let wake = DispatchSemaphore(value: 0)
    private var interrupted = false

    init(executable: String, directory: String, jobs: Int, total: Int, alreadyDone: Int) {
        self.executable = executable
        self.directory = directory
        self.jobs = jobs
        self.total = total
        done = alreadyDone
    }

    func run(_ points: [SweepPoint]) -> (interrupted: Bool, failed: Int) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [self] in
            lock.lock()
            interrupted = true
            for process in running.values where process.isRunning { process.interrupt() }
            lock.unlock()
            wake.signal()
        }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        let start = Date()
        var next = 0, completedHere = 0
        progress(start: start, completedHere: 0, remaining: points.count)
        while true {
            lock.lock()
            let stop = interrupted
            while !stop, running.count < jobs, next < points.count {
                launch(points[next])
                next += 1
            }
            let idle = running.isEmpty
            lock.unlock()
            if idle { break }
            wake.wait()
            lock.lock()
            let ended = finished, stopping = interrupted
            finished.removeAll()
            lock.unlock()
            for (_, status) in ended {
                completedHere += 1
                if status == 0 { done += 1 } else if !stopping { failed += 1 }
            }
            if !ended.isEmpty { progress(start: start, completedHere: completedHere, remaining: points.count - completedHere) }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        return (interrupted, failed)
    }

    /// Called with the lock held.
    private func launch(_ point: SweepPoint) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["sweep", "point", directory, "--index", "\(point.index)", "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        let logs = URL(fileURLWithPath: directory).appendingPathComponent("logs")
        try? FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let log = logs.appendingPathComponent("\(point.id).log").path
        // A point whose log cannot be written still runs; its error still lands in results/ID.error.json.
        let logged = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = (logged ? FileHandle(forWritingAtPath: log) : nil) ?? FileHandle.nullDevice
        process.terminationHandler = { [self] ended in
            lock.lock()
            running[point.index] = nil
            finished.append((point, ended.terminationStatus))
            lock.unlock()
            wake.signal()
        }
        do {
            try process.run()
            running[point.index] = process
        } catch {
            finished.append((point, 127))
            wake.signal()
        }
    }

    private func progress(start: Date, completedHere: Int, remaining: Int) {
        let width = 30, filled = total > 0 ? width * done / total : width
        let elapsed = Date().timeIntervalSince(start)
        let eta = completedHere > 0 ? elapsed / Double(completedHere) * Double(remaining) : nil
        let line = "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] "
            + "\(done)/\(total) points, \(failed) failed, \(jobs) jobs, \(Int(elapsed)) s" + (eta.map { ", ETA \(Int($0.rounded())) s" } ?? "")
        let tty = isatty(STDERR_FILENO) != 0
        FileHandle.standardError.write(Data(((tty ? "\r" : "") + line + (tty ? "" : "\n")).utf8))
    }
}
