import Foundation

/// A firmware image's manifest (`firmware/<name>/firmware.toml`): the model,
/// task periods, thresholds and log settings. Read-only once loaded; a key
/// the file leaves out takes the default documented here, a key it gets
/// wrong is an error naming the file, key, value and the expected range.
public struct FirmwareManifest: Sendable, Hashable {
    public var name: String
    /// Absolute paths, resolved against the manifest's directory.
    public var modelPath: String
    public var normalisationPath: String
    /// The labelled test clips (`manifest.json` and WAVs) the verify step,
    /// accuracy probes, `cimfw accuracy` and `cimfw evaluate` classify.
    public var testPath = ""
    /// The `*_sha256` keys whose files matched at load.
    public var verifiedDigests: [String] = []
    public var calibration = Calibration()
    public var inference = Inference()
    public var verify = Verify()
    public var energyLog = EnergyLog()
    public var watchdog = Watchdog()
    public var recovery = Recovery()

    public struct Calibration: Sendable, Hashable {
        /// Full column calibration this often (5 min: drift and slow
        /// temperature changes stay small between two).
        public var periodSeconds = 300.0
        /// A die this much warmer or cooler than at the last calibration
        /// forces one at once (RRAM moves ~3% per 10 °C).
        public var temperatureThresholdCelsius = 5.0
        /// How often the die temperature and the reference columns are read.
        public var checkPeriodSeconds = 10.0
        /// Reference columns that moved this much (relative) force a full calibration;
        /// above one code of a 6-bit reference read (3–6%), so noise does not.
        public var referenceDriftThresholdRelative = 0.08
    }

    public struct Inference: Sendable, Hashable {
        /// The model takes one second of audio.
        public var windowMilliseconds = 1000
        public var hopMilliseconds = 250
        /// Smoothed keyword probability needed to report a detection.
        public var detectionThreshold = 0.6
        /// Windows averaged before the threshold (1 = none).
        public var smoothingWindows = 2
        /// A keyword does not fire again within this time.
        public var refractoryMilliseconds = 1000
    }

    public struct Verify: Sendable, Hashable {
        /// Clips of the image's test set run through accelerator and float model after programming.
        public var testVectors = 24
        /// At most this share may get a different class.
        public var maxDisagreementFraction = 0.25
        /// A tile whose MVM error grows this far above its boot value is rewritten.
        public var tileErrorBoundRelative = 0.10
    }

    public struct EnergyLog: Sendable, Hashable {
        /// Relative to the working directory.
        /// A SQLite store, or CSV written directly when the path ends in `.csv`.
        public var path = "energy.sqlite"
        /// One summary row per period.
        public var periodSeconds = 60.0
        /// A row per inference as well.
        public var perInference = true
        /// Written to the file at least this often; a crash loses at most this much.
        public var flushIntervalSeconds = 5.0
        /// The file is rotated (energy.1.csv, …) when it would grow past this.
        public var rotateBytes = 10 * 1024 * 1024
        public var keepRotated = 5
    }

    public struct Watchdog: Sendable, Hashable {
        /// No task may run longer than this.
        public var timeoutMilliseconds = 2000
    }

    public struct Recovery: Sendable, Hashable {
        /// Retries of a failed bus transaction before it is a fault.
        public var busRetries = 3
        public var backoffInitialMilliseconds = 10
        public var backoffMaxMilliseconds = 1000
        /// Tile rewrites allowed per hour (endurance is finite).
        public var maxReprogramsPerHour = 4
    }

    public var hopSeconds: Double { Double(inference.hopMilliseconds) / 1000 }

    static let knownKeys = """
        [firmware] name, model, model_sha256, normalisation, normalisation_sha256, test; [calibration] period_seconds, temperature_threshold_celsius, \
        check_period_seconds, reference_drift_threshold_relative; [inference] window_milliseconds, hop_milliseconds, \
        detection_threshold, smoothing_windows, refractory_milliseconds; [verify] test_vectors, max_disagreement_fraction, \
        tile_error_bound_relative; [energy_log] path, period_seconds, per_inference, flush_interval_seconds, rotate_bytes, \
        keep_rotated; [watchdog] timeout_milliseconds; [recovery] bus_retries, backoff_initial_milliseconds, \
        backoff_max_milliseconds, max_reprograms_per_hour
        """

    /// The test clips of the image in `directory`: its manifest's `firmware.test`,
    /// or `test/` when the image has no manifest.
    public static func testDirectory(ofImage directory: String) throws(ManifestError) -> String {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("firmware.toml").path
        guard FileManager.default.fileExists(atPath: path) else { return URL(fileURLWithPath: directory).appendingPathComponent("test").path }
        return try load(path: path).testPath
    }

    public static func load(path: String) throws(ManifestError) -> FirmwareManifest {
        var r = try ManifestReader(path: path)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ key: String, _ fallback: String) throws(ManifestError) -> String {
            let name = try r.string(key, default: fallback).get()
            let url = name.hasPrefix("/") ? URL(fileURLWithPath: name) : directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ManifestError(file: path, key: key, value: "\"\(name)\"", expected: "a path that exists (looked for \(url.path))")
            }
            return url.standardizedFileURL.path
        }
        var m = FirmwareManifest(name: try r.string("firmware.name", default: directory.lastPathComponent).get(),
                                 modelPath: try resolve("firmware.model", "model.onnx"),
                                 normalisationPath: try resolve("firmware.normalisation", "normalisation.json"))
        // The default test/ may be missing (an image that verifies nothing); one named must exist.
        m.testPath = r.has("firmware.test") ? try resolve("firmware.test", "test") : directory.appendingPathComponent("test").path
        for (key, file) in [("firmware.model_sha256", m.modelPath), ("firmware.normalisation_sha256", m.normalisationPath)] {
            guard r.has(key) else { continue }
            let expected = try r.string(key, default: nil).get().lowercased()
            guard expected.count == 64, expected.allSatisfy(\.isHexDigit) else {
                throw ManifestError(file: path, key: key, value: "\"\(expected)\"", expected: "64 hexadecimal digits (sha256sum's output)")
            }
            let actual = try FileDigest.sha256(of: file, manifest: path, key: key)
            guard actual == expected else {
                throw ManifestError(file: path, key: key, value: "\"\(expected)\"",
                                    expected: "the SHA-256 of \(file), which is \(actual): the file changed since the manifest was written "
                                        + "(a damaged copy, or a new model: then put its sha256sum here)")
            }
            m.verifiedDigests.append(key)
        }
        let d = FirmwareManifest(name: "", modelPath: "", normalisationPath: "")

        m.calibration.periodSeconds = try r.double("calibration.period_seconds", default: d.calibration.periodSeconds, in: 1...86_400, unit: " s").get()
        m.calibration.temperatureThresholdCelsius = try r.double("calibration.temperature_threshold_celsius", default: d.calibration.temperatureThresholdCelsius, in: 0.1...100, unit: " °C").get()
        m.calibration.checkPeriodSeconds = try r.double("calibration.check_period_seconds", default: d.calibration.checkPeriodSeconds, in: 0.1...3600, unit: " s").get()
        m.calibration.referenceDriftThresholdRelative = try r.double("calibration.reference_drift_threshold_relative", default: d.calibration.referenceDriftThresholdRelative, in: 0.001...1).get()

        m.inference.windowMilliseconds = try r.int("inference.window_milliseconds", default: d.inference.windowMilliseconds, in: 1000...1000, unit: " ms (the model takes one second of audio)").get()
        m.inference.hopMilliseconds = try r.int("inference.hop_milliseconds", default: d.inference.hopMilliseconds, in: 10...m.inference.windowMilliseconds, unit: " ms, at most the window").get()
        m.inference.detectionThreshold = try r.double("inference.detection_threshold", default: d.inference.detectionThreshold, in: 0.01...1).get()
        m.inference.smoothingWindows = try r.int("inference.smoothing_windows", default: d.inference.smoothingWindows, in: 1...32).get()
        m.inference.refractoryMilliseconds = try r.int("inference.refractory_milliseconds", default: d.inference.refractoryMilliseconds, in: 0...60_000, unit: " ms").get()

        m.verify.testVectors = try r.int("verify.test_vectors", default: d.verify.testVectors, in: 0...10_000).get()
        m.verify.maxDisagreementFraction = try r.double("verify.max_disagreement_fraction", default: d.verify.maxDisagreementFraction, in: 0...1).get()
        m.verify.tileErrorBoundRelative = try r.double("verify.tile_error_bound_relative", default: d.verify.tileErrorBoundRelative, in: 0.001...10).get()

        m.energyLog.path = try r.string("energy_log.path", default: d.energyLog.path).get()
        m.energyLog.periodSeconds = try r.double("energy_log.period_seconds", default: d.energyLog.periodSeconds, in: 1...86_400, unit: " s").get()
        m.energyLog.perInference = try r.bool("energy_log.per_inference", default: d.energyLog.perInference).get()
        m.energyLog.flushIntervalSeconds = try r.double("energy_log.flush_interval_seconds", default: d.energyLog.flushIntervalSeconds, in: 0...3600, unit: " s").get()
        m.energyLog.rotateBytes = try r.int("energy_log.rotate_bytes", default: d.energyLog.rotateBytes, in: 4096...(1 << 40), unit: " bytes").get()
        m.energyLog.keepRotated = try r.int("energy_log.keep_rotated", default: d.energyLog.keepRotated, in: 0...100).get()

        m.watchdog.timeoutMilliseconds = try r.int("watchdog.timeout_milliseconds", default: d.watchdog.timeoutMilliseconds, in: 10...600_000, unit: " ms").get()

        m.recovery.busRetries = try r.int("recovery.bus_retries", default: d.recovery.busRetries, in: 0...100).get()
        m.recovery.backoffInitialMilliseconds = try r.int("recovery.backoff_initial_milliseconds", default: d.recovery.backoffInitialMilliseconds, in: 0...60_000, unit: " ms").get()
        m.recovery.backoffMaxMilliseconds = try r.int("recovery.backoff_max_milliseconds", default: d.recovery.backoffMaxMilliseconds, in: m.recovery.backoffInitialMilliseconds...600_000, unit: " ms, at least the initial backoff").get()
        m.recovery.maxReprogramsPerHour = try r.int("recovery.max_reprograms_per_hour", default: d.recovery.maxReprogramsPerHour, in: 0...1000).get()

        try r.rejectUnknownKeys(known: knownKeys)
        return m
    }
}
