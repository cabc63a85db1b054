import ArgumentParser
import BoardSupport
import CIMHAL
import Firmware
import Foundation

/// `cimfw soak`: the firmware for a long stretch of board time on an
/// emulated board whose bus injects faults (`[emulation.faults]`), with
/// every reading the drivers accept checked against the device models.
struct Soak: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Soak the firmware on an emulated board with bus faults and check every reading it accepts.",
        discussion: """
            Runs the shipped firmware as `cimfw run` does (no energy log), on a board file whose \
            [emulation.faults] injects NACKs, timeouts, corrupted reads and vanishing devices. Every MULTIPLY's \
            codes are compared with what the eval board model computed and every power sample with the same \
            registers read without faults; the report counts transactions, faults injected by kind, what \
            recovered them, inferences completed and power-monitor availability, and holds them against the \
            target (0 wrong readings, at least 99.9% of inferences, monitor present at least 99.9% of the time).
            Exit status: 0 target met, 1 target missed or the firmware faulted, 2 bad input.
            """)

    @Option(help: "Emulated board file with [emulation.faults].")
    var board = "boards/virtual-eval-glitchy.toml"

    @OptionGroup var firmware: FirmwareOption

    @Option(help: "Board time to soak for (10m, 24h).")
    var duration = TimeSpan(seconds: 600, text: "10m")

    @Option(help: "Inference hop: 10 ms up to the model's window.")
    var hop = TimeSpan(seconds: 1, text: "1s")

    @OptionGroup var json: JSONOption

    func validate() throws {
        try TimeSpan.validatePositive(duration, option: "duration")
        try TimeSpan.validatePositive(hop, option: "hop")
    }

    func run() throws {
        let image = try FirmwareImage.load(directory: URL(fileURLWithPath: firmware.directory), withTestSet: false)
        let window = Double(image.manifest.inference.windowMilliseconds)
        guard hop.milliseconds >= 10, hop.milliseconds <= window else {
            throw CLIError("--hop \(hop): expected 10 ms to \(Int(window)) ms (the model's window)")
        }
        let configuration: HardwareBoardConfiguration
        do {
            guard case .hardware(let c) = try BoardFile.load(path: board), c.backend == .emulated else {
                throw CLIError("\(board): board.backend: expected \"emulated\" (a soak injects faults on the emulated bus)")
            }
            configuration = c
        } catch let error as CLIError { throw error } catch { throw CLIError("\(error)") }
        let opened = try openBoard(board, seed: nil)
        let checks: SoakChecks
        do { checks = try SoakChecks(board: opened, configuration: configuration) } catch { throw CLIError("\(board): \(error)") }
        let source: any AudioSource
        do { source = try AudioSourceSpec(URL(fileURLWithPath: firmware.directory).appendingPathComponent("stream/stream.wav").path).open(loop: true) } catch {
            throw CLIError("\(error)")
        }
        defer { source.close() }

        var options = KWSFirmware.Options()
        options.durationSeconds = duration.seconds
        options.hopSeconds = hop.seconds
        options.logging = false
        options.onWatchdogExpiry = WatchdogReset.exitProcess
        let firmwareLoop = KWSFirmware(image: image, devices: opened.devices, options: options) { _ in }
        StopSignal.install()
        let wall0 = Date()
        var summary: RunSummary?
        var failure: String?
        do {
            try firmwareLoop.boot()
            summary = try firmwareLoop.run(audio: source) { StopSignal.isRaised }
        } catch {
            failure = "\(error)"
        }
        let report = SoakReport(board: configuration, duration: duration, hop: hop, window: window / 1000, summary: summary, failure: failure,
                                bus: checks.bus, link: checks.evalBoardLink, tally: checks.tally,
                                wallSeconds: Date().timeIntervalSince(wall0))
        print(json.isOn ? report.json : report.text)
        if !report.targetMet { throw AlreadyReported(exitStatus: 1) }
    }
}
