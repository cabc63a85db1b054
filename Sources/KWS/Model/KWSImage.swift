import Foundation

/// A keyword-spotting firmware image directory: `model.onnx` and
/// `normalisation.json` (firmware/kws-gru).
public struct KWSImage: Sendable {
    public var directory: URL
    public var imported: ImportedModel
    public var normalisation: FeatureNormalisation

    public var model: NeuralNetwork { imported.model }
    public var labels: [String] { normalisation.labels }

    public static func load(directory: URL) throws(ModelError) -> KWSImage {
        try load(model: directory.appendingPathComponent("model.onnx"),
                 normalisation: directory.appendingPathComponent("normalisation.json"))
    }

    /// An image whose files a firmware manifest names; `directory` is the model's.
    public static func load(model: URL, normalisation normalisationURL: URL) throws(ModelError) -> KWSImage {
        let directory = model.deletingLastPathComponent()
        let imported: ImportedModel
        do {
            imported = try ONNXImporter.load(contentsOf: model)
        } catch {
            throw ModelError(error.description)
        }
        let normalisation = try FeatureNormalisation.load(contentsOf: normalisationURL)
        let file = normalisationURL.path
        guard normalisation.mean.count == imported.model.frameSize else {
            throw ModelError("\(file): \(normalisation.mean.count) coefficients; the model takes \(imported.model.frameSize) per frame")
        }
        guard normalisation.labels.count == imported.model.outputs else {
            throw ModelError("\(file): \(normalisation.labels.count) labels; the model has \(imported.model.outputs) outputs")
        }
        return KWSImage(directory: directory, imported: imported, normalisation: normalisation)
    }
}
