import ArgumentParser

/// A span of time on the command line: "10s", "500ms", "2m", "24h", "2d", or
/// plain seconds. Options parse through `TimeSpan.parse`, so a refusal is
/// reported by the argument parser under the option's own name.
struct TimeSpan: Hashable, CustomStringConvertible {
    /// At most a year: beyond it a count of board milliseconds means nothing for a log.
    static let maximumSeconds = 31_536_000.0

    let seconds: Double
    let text: String

    var description: String { text }
    var milliseconds: Double { seconds * 1000 }

    static func parse(_ text: String) throws -> TimeSpan {
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        func span(_ seconds: Double) -> TimeSpan? {
            guard seconds.isFinite, seconds > 0, seconds <= maximumSeconds else { return nil }
            return TimeSpan(seconds: seconds, text: text)
        }
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), let s = span(value * scale) { return s }
        }
        if let value = Double(text), let s = span(value) { return s }
        throw ValidationError("expected a positive duration of at most a year, such as 10s, 500ms, 2m, 24h")
    }
}
