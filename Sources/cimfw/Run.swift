import ArgumentParser
import BoardSupport
import CIMHAL
import Firmware
import Foundation
import KWS

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the keyword-spotting firmware on a board: boot, calibrate, spot keywords, log energy.",
        discussion: """
            With no options: the shipped firmware (firmware/kws-gru) on boards/sim-rram-256.toml over the bundled \
            one-minute stream, from the repository's root. Detections print as they happen; SIGINT or SIGTERM \
            stops the run cleanly with a summary. On a simulated board time is virtual: --duration 24h runs a day \
            (drift, temperature, static energy and all) in about a minute, looping the audio.
            Exit status: 0 after a clean run, 1 when the firmware faulted, 2 on bad input.
            """)

    @OptionGroup var board: BoardOption
    @OptionGroup var firmware: FirmwareOption

    @Option(help: "Audio: a 16 kHz mono .wav, a directory of them, - for raw s16le PCM on stdin, or mic[:DEVICE] (arecord). Default: the image's stream/stream.wav.")
    var audio: String?

    @Option(help: "Stop after this much board time (10s, 15m, 24h, 2d); a file is looped to fill it. Default: until the audio ends.")
    var duration: TimeSpan?

    @Option(help: "Energy log (CSV). Default: the manifest's energy_log.path.")
    var log: String?

    @Flag(help: "Write no energy log.")
    var noLog = false

    @OptionGroup var seed: SeedOption
    @OptionGroup var json: JSONOption

    @Flag(help: "Print the summary only (no per-event lines).")
    var quiet = false

    @Option(help: "Inference hop, overriding the manifest (e.g. 1s for one inference a second): 10 ms up to the model's window.")
    var hop: TimeSpan?

    @Flag(help: "Keep the boot calibration: no periodic, temperature or drift recalibration.")
    var noRecalibration = false

    @Option(help: "Simulated boards: after boot, ramp the die from A to B °C over the run (A:B, e.g. 0:60). Needs --duration.")
    var thermalRamp: ThermalRamp?

    @Option(help: "Classify the image's test set on the running accelerator this often (e.g. 10m) and report accuracy, temperature and calibration age.")
    var accuracyEvery: TimeSpan?

    @Option(help: "Write fleet metrics (Prometheus textfile format, for node_exporter's textfile collector) to this file, replaced atomically every --metrics-every.")
    var metricsTextfile: String?

    @Option(help: "How often the metrics file is replaced, in board time (default 15s).")
    var metricsEvery: TimeSpan = TimeSpan(seconds: 15, text: "15s")

    func validate() throws {
        try TimeSpan.validatePositive(metricsEvery, option: "metrics-every")
        if let metricsTextfile {
            let directory = URL(fileURLWithPath: metricsTextfile).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard !metricsTextfile.isEmpty, !metricsTextfile.hasSuffix("/"),
                  FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--metrics-textfile '\(metricsTextfile)' is invalid; expected a file in an existing directory (node_exporter reads *.prom files from its --collector.textfile.directory)")
            }
        }
        try TimeSpan.validatePositive(duration, option: "duration")
        try TimeSpan.validatePositive(hop, option: "hop")
        try TimeSpan.validatePositive(accuracyEvery, option: "accuracy-every")
        if let thermalRamp {
            try thermalRamp.validate()
            guard duration != nil else { throw ValidationError("--thermal-ramp needs --duration: the ramp spans the run") }
        }
    }

    func run() throws {
        let durationSeconds = duration?.seconds
        let hopSeconds = hop?.seconds
        let image = try FirmwareImage.load(directory: URL(fileURLWithPath: firmware.directory), withTestSet: accuracyEvery != nil)
        if let hop {
            // The manifest's own range for inference.hop_milliseconds.
            let window = Double(image.manifest.inference.windowMilliseconds)
            guard hop.milliseconds >= 10, hop.milliseconds <= window else {
                throw CLIError("--hop \(hop): expected 10 ms to \(Int(window)) ms (the model's window, as for inference.hop_milliseconds in \(firmware.directory)/firmware.toml)")
            }
        }
        let opened = try openBoard(board.path, seed: seed.value)
        let chamber = opened.capability(ThermalControl.self)
        if thermalRamp != nil, chamber == nil {
            throw CLIError("--thermal-ramp: \(opened.name) has no simulated die to heat (a simulated or emulated board is needed)")
        }
        let audioSpec: AudioSourceSpec
        let audioPath = audio ?? URL(fileURLWithPath: firmware.directory).appendingPathComponent("stream/stream.wav").path
        audioSpec = try AudioSourceSpec(audioPath)
        let source: any AudioSource = try audioSpec.open(loop: durationSeconds != nil)
        defer { source.close() }
        for warning in source.warnings { FileHandle.standardError.write(Data("note: \(warning)\n".utf8)) }

        var options = KWSFirmware.Options()
        options.recalibration = !noRecalibration
        options.durationSeconds = durationSeconds
        options.hopSeconds = hopSeconds
        options.logPath = log
        options.logging = !noLog
        options.seed = seed.value
        options.accuracyProbeSeconds = accuracyEvery?.seconds
        options.metricsTextfilePath = metricsTextfile
        options.metricsPeriodSeconds = metricsEvery.seconds
        options.onWatchdogExpiry = WatchdogReset.exitProcess
        let output = RunOutput(json: json.isOn, quiet: quiet)
        output.header(image: image, board: opened, audio: source.name, seed: seed.value)
        var detections: [Detection] = []
        var probes: [AccuracyProbe] = []
        let firmwareLoop = KWSFirmware(image: image, devices: opened.devices, options: options) { event in
            if case .detection(let d) = event { detections.append(d) }
            if case .accuracy(let p) = event { probes.append(p) }
            output.event(event)
        }
        StopSignal.install()
        do {
            try firmwareLoop.boot()
            // The ramp starts once the board is programmed and calibrated (at its file's temperature).
            if let thermalRamp, let chamber, let durationSeconds {
                chamber.rampDie(fromCelsius: thermalRamp.fromCelsius, toCelsius: thermalRamp.toCelsius, overSeconds: durationSeconds)
            }
            let summary = try firmwareLoop.run(audio: source) { StopSignal.isRaised }
            var score: StreamScore?
            if case .files(let path) = audioSpec, let labels = try? StreamLabels.load(besides: path) {
                score = StreamScore(labels: labels, detections: detections, streamSeconds: summary.streamSeconds)
            }
            output.summary(summary, score: score)
            if !probes.isEmpty { output.probes(probes) }
            if let score, let chamber, thermalRamp != nil {
                // Board time of a stream moment: the run paces audio on the board clock.
                let offset = chamber.nowSeconds - summary.boardSeconds
                output.byTemperature(score, celsius: { chamber.dieCelsius(atSeconds: offset + $0) })
            }
        } catch {
            output.failure("\(error)")
            // The audio or the log path the user gave is bad input (2); a fault of the board or the run is 1.
            throw AlreadyReported(exitStatus: error.isBadInput ? 2 : 1)
        }
    }
}
