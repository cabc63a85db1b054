import Foundation

/// A labelled clip set as tools/kws/make_test_subset.py writes it:
/// `manifest.json` ({"clips": [{"path", "split", "class_index", …}]}) and
/// the WAV files under the same directory.
public struct TestSet: Sendable {
    public struct Clip: Sendable {
        public var path: String
        public var split: String
        public var classIndex: Int
        /// Normalised MFCC frames, row-major.
        public var features: [Float]
    }

    public var directory: URL
    public var clips: [Clip]

    public var splits: [String] { Array(Set(clips.map(\.split))).sorted() }

    /// Reads every clip and computes its features with `normalisation`.
    /// `including` picks clips by their index in the manifest (all by default).
    public static func load(directory: URL, normalisation: FeatureNormalisation, classes: Int,
                            including: (Int, Int) -> Bool = { _, _ in true }) throws(ModelError) -> TestSet {
        struct Entry: Decodable { var path: String; var split: String; var class_index: Int }
        struct Manifest: Decodable { var clips: [Entry] }
        let url = directory.appendingPathComponent("manifest.json")
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw ModelError("\(url.path): \(FeatureNormalisation.describe(error)); expected {\"clips\": [{\"path\", \"split\", \"class_index\"}]}")
        } catch {
            throw ModelError("\(url.path): cannot read the file: \(error.localizedDescription)")
        }
        let frontend: MFCCFrontend
        do { frontend = try MFCCFrontend() } catch { throw ModelError(error.message) }
        var clips: [Clip] = []
        for (n, entry) in manifest.clips.enumerated() where including(n, manifest.clips.count) {
            guard (0..<classes).contains(entry.class_index) else {
                throw ModelError("\(url.path): clips[\(n)].class_index is \(entry.class_index); expected 0..<\(classes)")
            }
            do {
                let clip = try AudioFile.read(path: directory.appendingPathComponent(entry.path).path).clip.fitted(toSamples: frontend.settings.sampleRateHertz)
                var features = try frontend.features(of: clip)
                features.withUnsafeMutableBufferPointer { normalisation.apply($0) }
                clips.append(Clip(path: entry.path, split: entry.split, classIndex: entry.class_index, features: features))
            } catch let error as AudioFileError {
                throw ModelError("\(error)")
            } catch {
                throw ModelError("\(entry.path): \(error)")
            }
        }
        return TestSet(directory: directory, clips: clips)
    }
}
