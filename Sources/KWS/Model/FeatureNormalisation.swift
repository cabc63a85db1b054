import Foundation

/// Per-coefficient standardisation the model was trained with,
/// x = (mfcc − mean) / std, and the class labels in output order
/// (`normalisation.json` next to model.onnx, written by tools/kws/train.py).
public struct FeatureNormalisation: Sendable, Hashable {
    public var mean: [Float]
    public var std: [Float]
    public var labels: [String]

    public init(mean: [Float], std: [Float], labels: [String]) throws(ModelError) {
        guard !mean.isEmpty, mean.count == std.count else {
            throw ModelError("mean has \(mean.count) values and std \(std.count); expected the same number, one per coefficient")
        }
        if let bad = std.firstIndex(where: { !($0 > 0) || !$0.isFinite }) {
            throw ModelError("std[\(bad)] is \(std[bad]); expected a positive finite number")
        }
        if let bad = mean.firstIndex(where: { !$0.isFinite }) {
            throw ModelError("mean[\(bad)] is \(mean[bad]); expected a finite number")
        }
        self.mean = mean
        self.std = std
        self.labels = labels
    }

    public static func load(contentsOf url: URL) throws(ModelError) -> FeatureNormalisation {
        struct File: Decodable { var mean: [Double]; var std: [Double]; var labels: [String] }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw ModelError("\(url.path): \(Self.describe(error)); expected {\"mean\": [numbers], \"std\": [numbers], \"labels\": [strings]}")
        } catch {
            throw ModelError("\(url.path): cannot read the file: \(error.localizedDescription)")
        }
        do {
            return try FeatureNormalisation(mean: file.mean.map { Float($0) }, std: file.std.map { Float($0) }, labels: file.labels)
        } catch {
            throw ModelError("\(url.path): \(error.message)")
        }
    }

    /// Standardises `features` (frames x coefficients) in place.
    public func apply(_ features: UnsafeMutableBufferPointer<Float>) {
        let n = mean.count
        for k in features.indices { features[k] = (features[k] - mean[k % n]) / std[k % n] }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "key '\(key.stringValue)' is missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            return "key '\(c.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type (\(c.debugDescription))"
        case .dataCorrupted(let c): return "not valid JSON (\(c.debugDescription))"
        @unknown default: return "\(error)"
        }
    }
}
