import Foundation
import KWS

/// A firmware image as shipped in `firmware/<name>/`: the manifest, the
/// model it names, and the clips the verify step runs through the
/// accelerator and the float model.
public struct FirmwareImage: Sendable {
    public var directory: URL
    public var manifest: FirmwareManifest
    public var kws: KWSImage
    /// Normalised features of the verify clips (the image's test set, in
    /// manifest order, as many as the manifest asks for).
    public var verifyFeatures: [[Float]]
    /// The image's whole labelled test set, for accuracy probes during a run.
    public var testSet: TestSet?

    public var labels: [String] { kws.labels }

    /// Reads `directory/firmware.toml` and everything it names; the whole
    /// test set only when `withTestSet` (accuracy probes), else the verify clips.
    public static func load(directory: URL, withTestSet: Bool = false) throws(FirmwareError) -> FirmwareImage {
        let manifestPath = directory.appendingPathComponent("firmware.toml").path
        let manifest: FirmwareManifest
        do { manifest = try FirmwareManifest.load(path: manifestPath) } catch { throw .manifest("\(error)") }
        let kws: KWSImage
        do {
            kws = try KWSImage.load(model: URL(fileURLWithPath: manifest.modelPath),
                                    normalisation: URL(fileURLWithPath: manifest.normalisationPath))
        } catch {
            throw .image("\(error)")
        }
        let testDirectory = URL(fileURLWithPath: manifest.testPath)
        let wanted = manifest.verify.testVectors
        var verify: [[Float]] = []
        var testSet: TestSet?
        if wanted > 0 || withTestSet {
            let set: TestSet
            do {
                // The verify clips are spread over the set (sorted by split and class), not the first few.
                set = try TestSet.load(directory: testDirectory, normalisation: kws.normalisation, classes: kws.model.outputs) { n, count in
                    withTestSet || (count >= wanted && wanted > 0 && n % (count / wanted) == 0 && n / (count / wanted) < wanted)
                }
            } catch {
                throw .image("verify clips: \(error)")
            }
            if withTestSet { testSet = set }
            let stride = withTestSet ? max(1, set.clips.count / max(1, wanted)) : 1
            verify = stride * max(0, wanted - 1) < set.clips.count ? (0..<wanted).map { set.clips[$0 * stride].features } : []
            guard verify.count == wanted else {
                throw .image("\(manifestPath): verify.test_vectors is \(wanted); the image's test set has \(set.clips.count) clips")
            }
        }
        return FirmwareImage(directory: directory, manifest: manifest, kws: kws, verifyFeatures: verify, testSet: testSet)
    }
}

/// Why the firmware could not start or had to stop.
public enum FirmwareError: Error, Sendable, Hashable, CustomStringConvertible {
    case manifest(String)
    case image(String)
    /// A state failed and recovery could not bring it back.
    case failed(state: FirmwareState, message: String)
    case log(String)
    /// The energy log's path cannot be used: someone else's file, a
    /// directory, no permission — the user's input, not a fault.
    case logPath(String)
    case audio(String)

    /// Whether the user's input is at fault (exit status 2) rather than the board or the run (1).
    public var isBadInput: Bool {
        switch self {
        case .manifest, .image, .logPath, .audio: true
        case .failed, .log: false
        }
    }

    public var description: String {
        switch self {
        case .manifest(let m): return m
        case .image(let m): return m
        case let .failed(state, message): return "\(state.rawValue): \(message)"
        case .log(let m), .logPath(let m): return "energy log: \(m)"
        case .audio(let m): return "audio: \(m)"
        }
    }
}
