import ArgumentParser
import Evaluation
import Foundation

extension Sweep {
    /// Hands the points not yet done to Slurm as job arrays whose tasks call
    /// `cimfw sweep point DIR --index I`, on a folder every node sees.
    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit the points not yet done to a cluster as Slurm job arrays (one task per point).",
            discussion: """
            Writes DIR/slurm/submit-N-K.sh and its index list for each chunk of at most MaxArraySize points \
            (scontrol show config; 1001 if it cannot be read), submits each with `sbatch --parsable`, and \
            records the job IDs in DIR/slurm/jobs.json. DIR and the cimfw executable must be on a file system \
            every node mounts at the same path. Follow with `cimfw sweep status DIR --wait`, then `collect`; \
            submitting again sends only the points still missing (failed ones included).
            """)

        @OptionGroup var directory: Directory

        @Flag(help: "Submit to Slurm with sbatch (the engine supported).")
        var slurm = false

        @Option(help: "Slurm partition (sbatch --partition).")
        var partition: String?

        @Option(help: "Time limit per task, as sbatch takes it (e.g. 10:00 or 1-00:00:00).")
        var time: String?

        @Option(help: "At most this many tasks of an array run at once (the array's %M).")
        var maxParallel: Int?

        @Option(help: "The cimfw executable the tasks run (default: this one); it must be at this path on every node.")
        var cimfw: String?

        func validate() throws {
            guard slurm else { throw ValidationError("submit needs --slurm (the cluster engine supported; `cimfw sweep run` runs on this machine)") }
            if let maxParallel, maxParallel < 1 { throw ValidationError("--max-parallel \(maxParallel) is invalid; expected at least 1") }
            if let time, time.isEmpty || time.contains(where: { !"0123456789:-".contains($0) }) {
                throw ValidationError("--time '\(time)' is invalid; expected a Slurm time such as 30, 10:00, 1:00:00 or 1-00:00:00")
            }
            if let partition, partition.isEmpty || partition.contains(where: { $0.isWhitespace || $0 == "'" }) {
                throw ValidationError("--partition '\(partition)' is invalid; expected a partition name")
            }
        }

        func run() throws {
            let plan = try directory.plan()
            let dir = URL(fileURLWithPath: directory.directory).standardizedFileURL
            let table = SweepTable.read(plan, directory: dir.path)
            let todo = table.unfinished.map(\.index)
            guard !todo.isEmpty else {
                print("nothing to submit: all \(plan.points.count) points are done")
                return
            }
            let executable = cimfw.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? RunPoints.executable
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw CLIError("--cimfw \(executable) is invalid; expected an executable file")
            }
            let slurmDirectory = dir.appendingPathComponent("slurm")
            var jobs = SlurmJobs.load(slurmDirectory)
            do {
                try FileManager.default.createDirectory(at: slurmDirectory.appendingPathComponent("logs"), withIntermediateDirectories: true)
            } catch {
                throw CLIError.failure("cannot create \(slurmDirectory.path): \(error.localizedDescription)")
            }
            let chunk = Self.maxArraySize()
            let submission = jobs.submissions.count
            var submitted: [SlurmJobs.Job] = []
            for (k, start) in stride(from: 0, to: todo.count, by: chunk).enumerated() {
                let indices = Array(todo[start..<min(todo.count, start + chunk)])
                let stem = slurmDirectory.appendingPathComponent("submit-\(submission)-\(k)")
                let script = Self.script(name: plan.name, count: indices.count, maxParallel: maxParallel, partition: partition, time: time,
                                         indices: stem.path + ".indices", logs: slurmDirectory.appendingPathComponent("logs").path,
                                         executable: executable, directory: dir.path)
                do {
                    try Data((indices.map(String.init).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: stem.path + ".indices"), options: .atomic)
                    try Data(script.utf8).write(to: URL(fileURLWithPath: stem.path + ".sh"), options: .atomic)
                } catch {
                    throw CLIError.failure("cannot write \(stem.path).sh: \(error.localizedDescription)")
                }
                let job = try Self.sbatch(stem.path + ".sh")
                submitted.append(SlurmJobs.Job(id: job, script: stem.path + ".sh", points: indices))
                print("submitted job array \(job): \(indices.count) points (\(stem.lastPathComponent).sh)")
            }
            jobs.submissions.append(submitted)
            do { try jobs.save(slurmDirectory) } catch {
                throw CLIError.failure("cannot record the jobs in \(slurmDirectory.path)/jobs.json: \(error.localizedDescription)")
            }
            print("\(todo.count) of \(plan.points.count) points submitted; follow with `cimfw sweep status \(directory.directory) --wait`")
        }

        static func script(name: String, count: Int, maxParallel: Int?, partition: String?, time: String?, indices: String,
                           logs: String, executable: String, directory: String) -> String {
            func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            var lines = ["#!/bin/sh",
                         "# cimfw sweep submit: one array task per point of \(directory)",
                         "#SBATCH --job-name=cimfw-sweep-\(name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })",
                         "#SBATCH --array=0-\(count - 1)" + (maxParallel.map { "%\($0)" } ?? ""),
                         "#SBATCH --ntasks=1",
                         "#SBATCH --output=\(logs)/%A_%a.log"]
            if let partition { lines.append("#SBATCH --partition=\(partition)") }
            if let time { lines.append("#SBATCH --time=\(time)") }
            lines += ["index=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \(quoted(indices)))",
                      "exec \(quoted(executable)) sweep point \(quoted(directory)) --index \"$index\" --quiet", ""]
            return lines.joined(separator: "\n")
        }

        /// The cluster's MaxArraySize: array indices run 0..<MaxArraySize.
        static func maxArraySize() -> Int {
            guard let output = try? Command.run("scontrol", ["show", "config"]), output.status == 0 else { return 1001 }
            for line in output.stdout.split(separator: "\n") where line.hasPrefix("MaxArraySize") {
                if let value = line.split(separator: "=").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), value > 0 {
                    return value
                }
            }
            return 1001
        }

        static func sbatch(_ script: String) throws -> String {
            let output: Command.Output
            do { output = try Command.run("sbatch", ["--parsable", script]) } catch {
                throw CLIError.failure("cannot run sbatch (is slurm-client installed and on PATH?): \(error.localizedDescription)")
            }
            let id = output.stdout.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            guard output.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
                throw CLIError.failure("sbatch \(script) failed (exit \(output.status)): \(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            return id
        }
    }
}

/// DIR/slurm/jobs.json: every submission's array jobs and their points.
struct SlurmJobs: Codable {
    struct Job: Codable {
        var id: String
        var script: String
        var points: [Int]
    }

    var submissions: [[Job]] = []

    static func load(_ directory: URL) -> SlurmJobs {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent("jobs.json").path),
              let jobs = try? JSONDecoder().decode(SlurmJobs.self, from: data) else { return SlurmJobs() }
        return jobs
    }

    func save(_ directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent("jobs.json"), options: .atomic)
    }

    /// Array tasks of these jobs that Slurm still holds, by state (squeue), or nil without squeue.
    func queued() -> [String: Int]? {
        let ids = submissions.joined().map(\.id)
        guard !ids.isEmpty else { return [:] }
        guard let output = try? Command.run("squeue", ["-h", "-r", "-j", ids.joined(separator: ","), "-o", "%T"]), output.status == 0 else {
            return nil
        }
        return output.stdout.split(separator: "\n").reduce(into: [:]) { $0[String($1), default: 0] += 1 }
    }
}

/// A program found on PATH, run to completion.
enum Command {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ name: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}
