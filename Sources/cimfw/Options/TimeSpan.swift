import ArgumentParser

/// A span of time on the command line: "10s", "500ms", "2m", "24h", "2d", or
/// plain seconds. Parsing takes any text (what is not a number with a unit
/// becomes a span of NaN seconds), so that `validatePositive`, called from
/// each command's `validate()`, refuses it — and zero, negative and
/// over-a-year spans — under the option's own name with what was expected.
struct TimeSpan: Hashable, CustomStringConvertible, ExpressibleByArgument {
    /// At most a year: beyond it a count of board milliseconds means nothing for a log.
    static let maximumSeconds = 31_536_000.0

    let seconds: Double
    let text: String

    var description: String { text }
    var milliseconds: Double { seconds * 1000 }

    init(seconds: Double, text: String) {
        self.seconds = seconds
        self.text = text
    }

    init(argument text: String) {
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)) { self.init(seconds: value * scale, text: text); return }
        }
        self.init(seconds: Double(text) ?? .nan, text: text)
    }

    /// A span must be positive and at most a year; the refusal names the
    /// option as the argument parser names it ('--hop <hop>').
    static func validatePositive(_ span: TimeSpan?, option: String) throws {
        guard let span else { return }
        guard span.seconds.isFinite, span.seconds > 0, span.seconds <= maximumSeconds else {
            throw ValidationError("The value '\(span.text)' is invalid for '--\(option) <\(option)>': expected a positive duration of at most a year, such as 10s, 500ms, 2m, 24h")
        }
    }
}

/// `--thermal-ramp FROM:TO`: a die temperature ramp in °C.
struct ThermalRamp: Hashable, CustomStringConvertible, ExpressibleByArgument {
    static let celsiusRange = -55.0...150.0

    let fromCelsius: Double
    let toCelsius: Double
    let text: String

    var description: String { text }

    init?(argument text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) }
        guard parts.count == 2, let from = parts[0], let to = parts[1] else { return nil }
        fromCelsius = from
        toCelsius = to
        self.text = text
    }

    /// Both ends within the range a die is specified for.
    func validate() throws {
        guard Self.celsiusRange.contains(fromCelsius), Self.celsiusRange.contains(toCelsius) else {
            throw ValidationError("--thermal-ramp \(text): expected FROM:TO in °C within -55...150, e.g. 0:60")
        }
    }
}
