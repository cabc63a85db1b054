import Foundation

/// Correct answers on one split of a test set.
public struct SplitAccuracy: Sendable, Hashable, Codable {
    public var split: String
    public var clips: Int
    public var correct: Int
    /// correct / clips (0 for no clips).
    public var accuracy: Double

    public init(split: String, clips: Int, correct: Int) {
        self.split = split
        self.clips = clips
        self.correct = correct
        accuracy = clips == 0 ? 0 : Double(correct) / Double(clips)
    }

    /// Per split (sorted) and "all", from predicted class indices in `set`'s clip order.
    public static func tally(_ set: TestSet, predictions: [Int]) -> [SplitAccuracy] {
        var bySplit: [String: SplitAccuracy] = [:]
        var all = SplitAccuracy(split: "all", clips: 0, correct: 0)
        for (clip, predicted) in zip(set.clips, predictions) {
            let hit = clip.classIndex == predicted ? 1 : 0
            bySplit[clip.split, default: SplitAccuracy(split: clip.split, clips: 0, correct: 0)].clips += 1
            bySplit[clip.split]?.correct += hit
            all.clips += 1
            all.correct += hit
        }
        return (bySplit.keys.sorted().compactMap { bySplit[$0] } + [all]).map {
            SplitAccuracy(split: $0.split, clips: $0.clips, correct: $0.correct)
        }
    }
}

extension KeywordSpotter {
    /// The arg-max class of every clip of `set`.
    public func predictions(_ set: TestSet) throws(Failure) -> [Int] {
        var unused: [Double] = []
        return try predictions(set, hostMicroseconds: &unused)
    }

    /// The arg-max class of every clip of `set`, and the host time each
    /// inference took (features to probabilities) appended to `hostMicroseconds`.
    public func predictions(_ set: TestSet, hostMicroseconds: inout [Double]) throws(Failure) -> [Int] {
        var probabilities = [Float](repeating: 0, count: outputs)
        var result: [Int] = []
        for clip in set.clips {
            let start = DispatchTime.now().uptimeNanoseconds
            try clip.features.withUnsafeBufferPointer { (f) throws(Failure) in
                try probabilities.withUnsafeMutableBufferPointer { (p) throws(Failure) in try classify(features: f, into: p) }
            }
            hostMicroseconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
            result.append(probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0)
        }
        return result
    }
}
