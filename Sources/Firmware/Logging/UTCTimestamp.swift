#if canImport(Glibc)
import Glibc
#endif

/// ISO 8601 UTC time with milliseconds (2026-11-26T20:31:05.123Z), from
/// the wall clock: the log's second time column, for people and pandas.
/// gmtime_r and a fixed format, because a Foundation date formatter costs
/// more than an inference and the log writes a row per inference.
public enum UTCTimestamp {
    public static func now() -> String {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return string(epochSeconds: Int(t.tv_sec), nanoseconds: Int(t.tv_nsec))
    }

    /// The timestamp of `epochSeconds` (since 1970-01-01 UTC) plus
    /// `nanoseconds` (0 ..< 1e9), truncated to the millisecond.
    public static func string(epochSeconds: Int, nanoseconds: Int) -> String {
        var seconds = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ x: Int32) -> String { x < 10 ? "0\(x)" : "\(x)" }
        let millis = min(999, max(0, nanoseconds / 1_000_000))
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)Z"
    }
}
