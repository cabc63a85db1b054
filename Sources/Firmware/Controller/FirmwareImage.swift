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

    /// Reads `directory/firmware.toml` and everything it names.
    public static func load(directory: URL) throws(FirmwareError) -> FirmwareImage {
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
        let testDirectory = directory.appendingPathComponent("test")
        var verify: [[Float]] = []
        var testSet: TestSet?
        if manifest.verify.testVectors > 0 {
            let set: TestSet
            do {
                set = try TestSet.load(directory: testDirectory, normalisation: kws.normalisation, classes: kws.model.outputs)
            } catch {
                throw .image("verify clips: \(error)")
            }
            guard set.clips.count >= manifest.verify.testVectors else {
                throw .image("\(manifestPath): verify.test_vectors is \(manifest.verify.testVectors); the image's test set has \(set.clips.count) clips")
            }
            // Spread over the set (it is sorted by split and class), not the first few.
            let stride = set.clips.count / manifest.verify.testVectors
            verify = (0..<manifest.verify.testVectors).map { set.clips[$0 * stride].features }
            testSet = set
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
    case audio(String)

    public var description: String {
        switch self {
        case .manifest(let m): return m
        case .image(let m): return m
        case let .failed(state, message): return "\(state.rawValue): \(message)"
        case .log(let m): return "energy log: \(m)"
        case .audio(let m): return "audio: \(m)"
        }
    }
}
