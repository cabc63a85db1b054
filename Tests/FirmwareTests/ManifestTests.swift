import Foundation
import Testing
@testable import Firmware

@Suite("Firmware manifest")
struct ManifestTests {
    func write(_ body: String) throws -> String {
        let dir = try Repository.temporaryDirectory()
        for name in ["model.onnx", "normalisation.json"] {
            FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data())
        }
        let path = dir.appendingPathComponent("firmware.toml").path
        try body.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theShippedManifestLoadsWithItsDocumentedValues() throws {
        let m = try FirmwareManifest.load(path: Repository.image.appendingPathComponent("firmware.toml").path)
        #expect(m.name == "kws-gru")
        #expect(m.calibration.periodSeconds == 300)
        #expect(m.calibration.temperatureThresholdCelsius == 5)
        #expect(m.inference.windowMilliseconds == 1000 && m.inference.hopMilliseconds == 250)
        #expect(m.modelPath.hasSuffix("firmware/kws-gru/model.onnx"))
        #expect(m.watchdog.timeoutMilliseconds == 2000)
        #expect(m.verifiedDigests == ["firmware.model_sha256", "firmware.normalisation_sha256"], "the shipped files match their recorded SHA-256")
    }

    /// The empty files `write` makes have SHA-256 e3b0c442…b855 (sha256sum of nothing).
    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test func aRecordedDigestIsChecked() throws {
        let m = try FirmwareManifest.load(path: try write("[firmware]\nmodel_sha256 = \"\(Self.emptySHA256.uppercased())\"\n"))
        #expect(m.verifiedDigests == ["firmware.model_sha256"])
    }

    /// A model that changed after the manifest was written (a damaged copy,
    /// a half-finished scp) is refused at boot, naming both digests.
    @Test func aFileThatDoesNotMatchItsDigestIsRefused() throws {
        let wrong = String(repeating: "0", count: 64)
        let path = try write("[firmware]\nnormalisation_sha256 = \"\(wrong)\"\n")
        #expect {
            try FirmwareManifest.load(path: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && text.contains("firmware.normalisation_sha256") && text.contains(wrong)
                && text.contains(Self.emptySHA256) && text.contains("normalisation.json")
        }
        #expect {
            try FirmwareManifest.load(path: try write("[firmware]\nmodel_sha256 = \"abc\"\n"))
        } throws: { error in "\(error)".contains("64 hexadecimal digits") }
    }

    @Test func missingKeysTakeTheirDefaults() throws {
        let m = try FirmwareManifest.load(path: try write("[firmware]\nname = \"x\"\n"))
        #expect(m.calibration.periodSeconds == 300)
        #expect(m.inference.hopMilliseconds == 250)
        #expect(m.energyLog.path == "energy.sqlite")
    }

    @Test(arguments: [
        ("[calibration]\nperiod_seconds = 0", "calibration.period_seconds", "1...86400"),
        ("[calibration]\ntemperature_threshold_celsius = -1", "calibration.temperature_threshold_celsius", "0.1...100"),
        ("[inference]\nhop_milliseconds = 2000", "inference.hop_milliseconds", "10...1000"),
        ("[inference]\nwindow_milliseconds = 500", "inference.window_milliseconds", "1000...1000"),
        ("[inference]\ndetection_threshold = 1.5", "inference.detection_threshold", "0.01...1"),
        ("[inference]\nhop_milliseconds = \"fast\"", "inference.hop_milliseconds", "an integer"),
        ("[energy_log]\nrotate_bytes = 100", "energy_log.rotate_bytes", "4096"),
        ("[energy_log]\nper_inference = 1", "energy_log.per_inference", "true or false"),
        ("[watchdog]\ntimeout_milliseconds = 0", "watchdog.timeout_milliseconds", "10...600000"),
        ("[recovery]\nbackoff_initial_milliseconds = 50\nbackoff_max_milliseconds = 20", "recovery.backoff_max_milliseconds", "at least the initial"),
    ])
    func aBadValueIsRejectedWithFileKeyValueAndRange(body: String, key: String, expected: String) throws {
        let path = try write(body)
        #expect { try FirmwareManifest.load(path: path) } throws: { error in
            let text = "\(error)"
            return text.contains(path) && text.contains("'\(key)'") && text.contains("value") && text.contains(expected)
        }
    }

    @Test func anUnknownKeyIsAnError() throws {
        let path = try write("[calibration]\nperiod_secs = 60\n")
        #expect { try FirmwareManifest.load(path: path) } throws: { "\($0)".contains("calibration.period_secs") && "\($0)".contains("no such key") }
    }

    @Test func aModelThatIsNotThereIsNamed() throws {
        let path = try write("[firmware]\nmodel = \"missing.onnx\"\n")
        #expect { try FirmwareManifest.load(path: path) } throws: { "\($0)".contains("firmware.model") && "\($0)".contains("missing.onnx") }
    }

    /// An image may use another image's test clips; a directory named must
    /// exist, while the default test/ may be missing (an image that verifies nothing).
    @Test func theTestClipsAreTheImagesOwnOrTheOnesItNames() throws {
        let own = try write("[firmware]\nname = \"x\"\n")
        #expect(try FirmwareManifest.load(path: own).testPath == URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent("test").path)
        let shared = try FirmwareManifest.load(path: Repository.root.appendingPathComponent("firmware/kws-dscnn/firmware.toml").path)
        #expect(shared.testPath == Repository.image.appendingPathComponent("test").standardizedFileURL.path)
        #expect(try FirmwareManifest.testDirectory(ofImage: Repository.root.appendingPathComponent("firmware/kws-dscnn").path) == shared.testPath)
        let path = try write("[firmware]\ntest = \"../elsewhere\"\n")
        #expect { try FirmwareManifest.load(path: path) } throws: { "\($0)".contains("firmware.test") && "\($0)".contains("../elsewhere") && "\($0)".contains("a path that exists") }
    }

    @Test func brokenTOMLNamesTheLine() throws {
        let path = try write("[calibration\nperiod_seconds = 60\n")
        #expect { try FirmwareManifest.load(path: path) } throws: { "\($0)".contains(path) && "\($0)".contains("line 1") }
    }
}
