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
    /// The arg-max class of every clip of `set`, `batch` clips at a time.
    public func predictions(_ set: TestSet, batch: Int = 1) throws(Failure) -> [Int] {
        var unused: [Double] = []
        return try predictions(set, batch: batch, hostMicroseconds: &unused)
    }

    /// The arg-max class of every clip of `set`, and the host time each
    /// inference took (features to probabilities) appended to
    /// `hostMicroseconds`. Up to `batch` consecutive clips of equal length
    /// run together (`classify(batch:clips:into:)`); each clip of a batch is
    /// given the batch's time divided by its clips.
    public func predictions(_ set: TestSet, batch: Int = 1, hostMicroseconds: inout [Double]) throws(Failure) -> [Int] {
        let batch = max(1, batch)
        var probabilities = [Float](repeating: 0, count: outputs * batch)
        var staged: [Float] = []
        var result: [Int] = []
        result.reserveCapacity(set.clips.count)
        var first = 0
        while first < set.clips.count {
            let length = set.clips[first].features.count
            var end = first + 1
            while end < set.clips.count, end - first < batch, set.clips[end].features.count == length { end += 1 }
            let clips = end - first
            staged.removeAll(keepingCapacity: true)
            for clip in set.clips[first..<end] { staged.append(contentsOf: clip.features) }
            let start = DispatchTime.now().uptimeNanoseconds
            try staged.withUnsafeBufferPointer { (f) throws(Failure) in
                try probabilities.withUnsafeMutableBufferPointer { (p) throws(Failure) in
                    try classify(batch: f, clips: clips, into: UnsafeMutableBufferPointer(rebasing: p[0..<(clips * outputs)]))
                }
            }
            let each = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3 / Double(clips)
            for c in 0..<clips {
                hostMicroseconds.append(each)
                let scores = probabilities[(c * outputs)..<((c + 1) * outputs)]
                result.append((scores.indices.max { scores[$0] < scores[$1] } ?? c * outputs) - c * outputs)
            }
            first = end
        }
        return result
    }
}
