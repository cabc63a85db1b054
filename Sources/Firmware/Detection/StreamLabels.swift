import Foundation

/// What a labelled stream holds: each word, when, and whether it is a keyword
/// (`labels.json` beside the stream, written by tools/kws/make_stream.py).
public struct StreamLabels: Sendable, Codable {
    public struct Event: Sendable, Codable {
        public var word: String
        public var keyword: Bool
        public var start_s: Double
        public var end_s: Double
        /// The synthetic voice that spoke it (`espeak-ng:en-us+m5`), when known.
        public var voice: String?

        public init(word: String, keyword: Bool, start_s: Double, end_s: Double, voice: String? = nil) {
            self.word = word
            self.keyword = keyword
            self.start_s = start_s
            self.end_s = end_s
            self.voice = voice
        }

        enum CodingKeys: String, CodingKey {
            case word, keyword = "is_keyword", start_s, end_s, voice
        }
    }
    public var duration_s: Double
    public var events: [Event]

    public init(duration_s: Double, events: [Event]) {
        self.duration_s = duration_s
        self.events = events
    }

    /// `labels.json` in the directory of the stream at `path`; nil when there is none.
    public static func load(besides path: String) throws(StreamLabelsError) -> StreamLabels? {
        let url = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("labels.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try load(contentsOf: url)
    }

    public static func load(contentsOf url: URL) throws(StreamLabelsError) -> StreamLabels {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw StreamLabelsError(file: url.path, message: "unreadable: \(error.localizedDescription)")
        }
        let labels: StreamLabels
        do { labels = try JSONDecoder().decode(StreamLabels.self, from: data) } catch {
            throw StreamLabelsError(file: url.path, message: "not the labels make_stream.py writes ({\"duration_s\", \"events\": [{\"word\", \"is_keyword\", \"start_s\", \"end_s\", \"voice\"}]}): \(error)")
        }
        guard labels.duration_s > 0 else {
            throw StreamLabelsError(file: url.path, message: "duration_s is \(labels.duration_s); expected a positive number of seconds")
        }
        return labels
    }
}

public struct StreamLabelsError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}
