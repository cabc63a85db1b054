import Foundation
import KWS
import Testing

/// The shipped model on real human speech: the validation speakers of the
/// Speech Commands recordings in `../shared/datasets/speech-commands-subset`
/// (read from there, never copied into the repository), classified in Swift
/// exactly as `cimfw classify` does, must score what the model's training
/// report says, within one clip — so the number in the docs is the number the
/// code gets.
@Suite struct RealSpeechValidationTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let dataset = repository.deletingLastPathComponent().appendingPathComponent("shared/datasets/speech-commands-subset")
    static var available: Bool { FileManager.default.fileExists(atPath: dataset.appendingPathComponent("MANIFEST.tsv").path) }

    /// (word, file) of the dataset's validation split, from its MANIFEST (TensorFlow's which_set rule).
    static func validationClips() throws -> [(word: String, path: String)] {
        let text = try String(contentsOf: dataset.appendingPathComponent("MANIFEST.tsv"), encoding: .utf8)
        var lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let header = lines.removeFirst()
        let word = try #require(header.firstIndex(of: "word")), file = try #require(header.firstIndex(of: "file"))
        let split = try #require(header.firstIndex(of: "official_split"))
        return lines.filter { $0.count == header.count && $0[split] == "validation" }
            .map { ($0[word], dataset.appendingPathComponent($0[word]).appendingPathComponent($0[file]).path) }
    }

    @Test(.enabled(if: available, "../shared/datasets/speech-commands-subset is absent: real-speech validation skipped"))
    func theShippedModelScoresItsReportedValidationAccuracyOnRealSpeech() throws {
        let image = try KWSImage.load(directory: Self.repository.appendingPathComponent("firmware/kws-gru"))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.repository.appendingPathComponent("firmware/kws-gru/report.json")))
        let validation = try #require(((report as? [String: Any])?["splits"] as? [String: Any])?["real-validation"] as? [String: Any],
                                      "report.json has no real-validation split")
        let reportedClips = try #require(validation["clips"] as? Int)
        let reportedAccuracy = try #require(validation["accuracy"] as? Double)

        let clips = try Self.validationClips()
        #expect(clips.count == reportedClips)
        let labels = image.normalisation.labels
        let unknown = try #require(labels.firstIndex(of: "unknown"))
        let spotter = try KeywordSpotter(backend: .float(FloatRuntime(model: image.model)), normalisation: image.normalisation)
        var probabilities = [Float](repeating: 0, count: labels.count)
        var correct = 0
        for clip in clips {
            let samples = try AudioFile.read(path: clip.path).clip.fitted(toSamples: 16_000).samples
            try samples.withUnsafeBufferPointer { s in
                try probabilities.withUnsafeMutableBufferPointer { try spotter.classify(samples: s, into: $0) }
            }
            let predicted = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
            if predicted == (labels.firstIndex(of: clip.word) ?? unknown) { correct += 1 }
        }
        let reportedCorrect = Int((reportedAccuracy * Double(reportedClips)).rounded())
        #expect(abs(correct - reportedCorrect) <= 1,
                "Swift gets \(correct) of \(clips.count) right; the training report says \(reportedCorrect)")
    }
}
