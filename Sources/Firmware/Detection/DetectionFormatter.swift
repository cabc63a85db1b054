import Foundation

/// The two ways a detection is printed: a line for a person and a JSON line
/// for a program (one object per line, keys in a fixed order).
enum DetectionFormatter {
    /// `    12.25 s  yes     0.93  latency 1.80 ms`: stream time, keyword, confidence, latency.
    static func text(_ d: Detection) -> String {
        let keyword = d.keyword.count < 6 ? d.keyword + String(repeating: " ", count: 6 - d.keyword.count) : d.keyword
        return "  " + fixed(d.streamSeconds, 2, width: 9) + " s  " + keyword + "  " + fixed(d.confidence, 2)
            + "  latency " + fixed(d.latencySeconds * 1000, 2) + " ms"
    }

    /// `{"event":"detection","keyword":"yes","confidence":0.9312,"stream_s":12.25,"board_s":…,"latency_ms":…}`.
    /// A value that is not finite is written as null (JSON has no NaN).
    static func json(_ d: Detection) -> String {
        "{\"event\":\"detection\",\"keyword\":" + quoted(d.keyword)
            + ",\"confidence\":" + number(d.confidence, 4)
            + ",\"stream_s\":" + number(d.streamSeconds, 4)
            + ",\"board_s\":" + number(d.boardSeconds, 6)
            + ",\"latency_ms\":" + number(d.latencySeconds * 1000, 3) + "}"
    }

    static func fixed(_ x: Double, _ decimals: Int, width: Int = 0) -> String {
        String(format: "%\(width > 0 ? "\(width)" : "").\(decimals)f", x)
    }

    static func number(_ x: Double, _ decimals: Int) -> String {
        x.isFinite ? String(format: "%.\(decimals)f", x) : "null"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
