import Foundation
import Testing

/// `cimfw run` as a user runs it, including being killed.
@Suite("cimfw run", .serialized)
struct RunCommandTests {
    typealias CLI = CharacterizeCommandTests

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func lines(_ path: String) -> [Substring] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    static let header = "time_s,wall_time,kind,inferences,energy_j,energy_per_inference_j,average_power_w,idle_power_w,temperature_c,calibration_epoch,detections,keyword,source"

    @Test func jsonLinesEndWithASummaryThatCountsTheRun() throws {
        let dir = try temporaryDirectory()
        let log = dir.appendingPathComponent("energy.csv").path
        let result = try CLI().run(["run", "--duration", "20s", "--json", "--log", log, "--seed", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let objects = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.count == result.stdout.split(separator: "\n").count, "every line is one JSON object")
        let summary = try #require(objects.last)
        #expect(summary["event"] as? String == "summary")
        #expect(summary["inferences"] as? Int == 80)  // one per 250 ms hop (the first reads a whole window)
        #expect(summary["energy_source"] as? String == "energy-model")
        #expect((summary["energy_per_inference_median_j"] as? Double ?? 0) > 0)
        let rows = lines(log)
        #expect(rows.first.map(String.init) == Self.header)
        #expect(rows.filter { $0.contains(",inference,") }.count == 80)
        #expect(rows.filter { $0.contains(",period,") }.count == 1)
    }

    /// `--metrics-textfile`: the counters a fleet operator scrapes agree with the run's own summary.
    @Test func theMetricsFileCountsWhatTheSummaryCounts() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prom = dir.appendingPathComponent("cimfw.prom").path
        let result = try CLI().run(["run", "--duration", "20s", "--json", "--no-log", "--seed", "3", "--metrics-textfile", prom, "--metrics-every", "5s"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(result.stdout.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        // The format itself is held by FleetMetricsTests' strict parser; here, the numbers.
        let samples: [(name: String, value: Double)] = try String(contentsOfFile: prom, encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
                guard let name = line.split(separator: "{").first, let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { return nil }
                return (String(name), value)
            }
        func value(_ name: String) -> Double? { samples.first { $0.name == name }?.value }
        let detections = samples.filter { $0.name == "cimfw_detections_total" }
        let detected: Double = detections.reduce(0) { $0 + $1.value }
        #expect(value("cimfw_inferences_total") == Double(summary["inferences"] as? Int ?? -1))
        #expect(detected == Double(summary["detections"] as? Int ?? -1))
        #expect(value("cimfw_calibrations_total") == Double(summary["calibrations"] as? Int ?? -1))
        #expect(abs((value("cimfw_uptime_seconds") ?? 0) - 20) < 0.5)
        #expect((value("cimfw_energy_per_inference_joules") ?? 0) > 0 && (value("cimfw_average_power_watts") ?? 0) > 0)
        #expect(detections.count == 10, "every keyword has a series, zero or not")
        let bad = try CLI().run(["run", "--duration", "1s", "--no-log", "--metrics-textfile", dir.appendingPathComponent("no/such/dir/x.prom").path])
        #expect(bad.status == 2 && bad.stderr.contains("--metrics-textfile"), "\(bad.stderr)")
    }

    /// Raw PCM on stdin, as from `arecord -t raw` on another machine or `sox … -t raw -`.
    func runWithStandardInput(_ bytes: Data, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.currentDirectoryURL = CLI.repositoryRoot
        let input = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        input.fileHandleForWriting.write(bytes)
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    func streamPCM(seconds: Double) throws -> Data {
        let wav = try Data(contentsOf: CLI.repositoryRoot.appendingPathComponent("firmware/kws-gru/stream/stream.wav"))
        return wav.subdata(in: 44..<(44 + Int(seconds * 16000) * 2))  // the 44-byte header Python's wave module writes
    }

    @Test func rawPCMOnStandardInputIsSpotted() throws {
        let result = try runWithStandardInput(try streamPCM(seconds: 5), ["run", "--audio", "-", "--json", "--no-log"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data((result.stdout.split(separator: "\n").last ?? "").utf8)) as? [String: Any])
        #expect(summary["inferences"] as? Int == 17)  // (5 s − 1 s) / 250 ms + 1
        #expect(summary["stop_reason"] as? String == "the audio ended")
        #expect(result.stdout.contains("\"keyword\":\"up\""), "the stream's first word, at 1.5 s")
    }

    @Test func aStreamEndingMidSampleIsAnErrorThatSaysSo() throws {
        var bytes = try streamPCM(seconds: 1.1)
        bytes.append(0x7F)
        let result = try runWithStandardInput(bytes, ["run", "--audio", "-", "--no-log", "--quiet"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("stdin") && result.stderr.contains("an odd number"))
    }

    @Test func aBadManifestIsRefusedWithFileKeyAndValue() throws {
        let dir = try temporaryDirectory()
        let image = CLI.repositoryRoot.appendingPathComponent("firmware/kws-gru")
        for name in ["model.onnx", "normalisation.json"] {
            try FileManager.default.copyItem(at: image.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        try "[inference]\nhop_milliseconds = 5\n".write(to: dir.appendingPathComponent("firmware.toml"), atomically: true, encoding: .utf8)
        let result = try CLI().run(["run", "--firmware", dir.path, "--duration", "1s"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("firmware.toml") && result.stderr.contains("inference.hop_milliseconds") && result.stderr.contains("10...1000"))
    }

    /// SIGTERM (and SIGINT alike) ends the run before its next task: the
    /// log is flushed and closed, the summary printed, the exit status 0.
    @Test func sigtermStopsTheRunCleanlyWithASummary() throws {
        let dir = try temporaryDirectory()
        let log = dir.appendingPathComponent("energy.csv").path
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["run", "--duration", "2h", "--quiet", "--log", log]
        process.currentDirectoryURL = CLI.repositoryRoot
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while lines(log).count < 10 && Date() < deadline && process.isRunning { usleep(20_000) }
        #expect(process.isRunning)
        process.terminate()  // SIGTERM
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(stdout.contains("summary (stopped by SIGTERM)"))
        #expect(stdout.contains("inferences") && stdout.contains("per inference (median") && stdout.contains("calibrations") && stdout.contains("faults"))
        let rows = lines(log)
        #expect(rows.last == "")
        #expect(rows.dropLast().last?.contains(",period,") == true, "the closing period row was written")
    }

    /// Kill the firmware with SIGKILL at random moments, several times over
    /// one log: whatever was in the file at the moment of the kill is still
    /// there, byte for byte; each restart cuts a torn tail (if any) and
    /// appends; at the end every line is a whole record under one header.
    @Test func everyFlushedRecordSurvivesSIGKILL() throws {
        let dir = try temporaryDirectory()
        let log = dir.appendingPathComponent("energy.csv").path
        var rng = SplitMix(state: 2026)
        for round in 0..<3 {
            let before = lines(log).count
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = ["run", "--duration", "2h", "--quiet", "--log", log, "--seed", "\(round)"]
            process.currentDirectoryURL = CLI.repositoryRoot
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait until this run has flushed rows, then a random moment more.
            let deadline = Date().addingTimeInterval(120)
            while lines(log).count < before + 10 && Date() < deadline && process.isRunning { usleep(20_000) }
            #expect(process.isRunning, "the run is still going when it is killed")
            usleep(UInt32(rng.next() % 1_500_000))
            let snapshot = (try? Data(contentsOf: URL(fileURLWithPath: log))) ?? Data()
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            let after = (try? Data(contentsOf: URL(fileURLWithPath: log))) ?? Data()
            #expect(after.starts(with: snapshot), "round \(round): nothing in the file before the kill changed")
            #expect(after.count > 0)
        }
        // One more (short) run repairs and appends.
        let final = try CLI().run(["run", "--duration", "5s", "--quiet", "--log", log])
        #expect(final.status == 0, "\(final.stderr)")
        let all = lines(log)
        #expect(all.last == "", "the file ends with a newline")
        #expect(all.first.map(String.init) == Self.header)
        let records = all.dropFirst().dropLast()
        #expect(records.count > 30)
        for (n, line) in records.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(fields.count == 13, "line \(n + 2): \(line)")
            #expect(Double(fields[0]) != nil && ["inference", "period"].contains(String(fields[2])), "line \(n + 2): \(line)")
        }
    }
}

struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1330_11EB
        return z ^ (z >> 31)
    }
}
