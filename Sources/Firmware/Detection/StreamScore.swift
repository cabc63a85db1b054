import Foundation

/// Detections scored against the labels: a keyword is found when a
/// detection of that word fires between its start and `lateSeconds` after
/// its end (the window that holds it ends after the word does); any other
/// detection is a false alarm. A looped stream is scored loop by loop.
public struct StreamScore: Sendable, Hashable, Codable {
    public var keywords: Int
    public var found: Int
    public var wrongWord: Int
    public var falseAlarms: Int
    /// Per pass over the stream: when it started (stream seconds), keywords and found.
    public var loops: [Loop]
    public var recall: Double { keywords > 0 ? Double(found) / Double(keywords) : 0 }

    public struct Loop: Sendable, Hashable, Codable {
        public var startSeconds: Double
        public var endSeconds: Double
        public var keywords: Int
        public var found: Int
    }

    /// `streamSeconds`: how much of the (looped) stream the run consumed;
    /// keywords whose scoring window it did not reach are not counted.
    public init(labels: StreamLabels, detections: [Detection], streamSeconds: Double, lateSeconds: Double = 1.25) {
        let length = labels.duration_s
        let passes = max(1, Int(streamSeconds / length) + 1)
        var used = [Bool](repeating: false, count: detections.count)
        var keywords = 0, found = 0, wrong = 0
        var perLoop: [Loop] = []
        for loop in 0..<passes {
            let offset = Double(loop) * length
            var pass = Loop(startSeconds: offset, endSeconds: offset + length, keywords: 0, found: 0)
            defer { if pass.keywords > 0 { perLoop.append(pass) } }
            for event in labels.events where event.keyword {
                let from = offset + event.start_s, to = offset + event.end_s + lateSeconds
                // Only keywords the stream actually reached count.
                guard streamSeconds >= to else {
                    // Cut off by the end of the run: not scored, but a detection of it is no false alarm.
                    if let hit = detections.indices.first(where: { !used[$0] && detections[$0].keyword == event.word && detections[$0].streamSeconds >= from && detections[$0].streamSeconds <= to }) {
                        used[hit] = true
                    }
                    continue
                }
                keywords += 1
                pass.keywords += 1
                let inside = detections.indices.filter { !used[$0] && detections[$0].streamSeconds >= from && detections[$0].streamSeconds <= to }
                if let hit = inside.first(where: { detections[$0].keyword == event.word }) {
                    found += 1
                    pass.found += 1
                    used[hit] = true
                } else if let other = inside.first {
                    wrong += 1
                    used[other] = true
                }
            }
        }
        self.keywords = keywords
        loops = perLoop
        self.found = found
        self.wrongWord = wrong
        falseAlarms = used.filter { !$0 }.count
    }
}
