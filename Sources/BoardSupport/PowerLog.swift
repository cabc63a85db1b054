import CIMHAL
import Foundation

/// Power samples as CSV that pandas and a spreadsheet read as they are:
/// one header row, one row per sample, SI units in the column names.
public enum PowerLog {
    public static let header = "timestamp_seconds,rail,bus_volts,current_amps,power_watts"

    public static func row(rail: String, _ s: PowerSample) -> String {
        "\(format(s.timestampSeconds, digits: 6)),\(rail),\(format(s.busVolts, digits: 5)),\(format(s.currentAmps, digits: 6)),\(format(s.powerWatts, digits: 6))"
    }

    /// Samples every monitor at `rateHz` for `durationSeconds` on the board's
    /// clock, handing each CSV row to `emit` as it is taken.
    public static func record(_ board: Board, durationSeconds: Double, rateHz: Double,
                              emit: (String) -> Void) throws(HALError) {
        try record(board.powerMonitors, clock: board.clock, durationSeconds: durationSeconds, rateHz: rateHz, emit: emit)
    }

    /// The same for monitors alone (no accelerator opened).
    public static func record(_ monitors: [any PowerMonitor], clock: BoardClock, durationSeconds: Double, rateHz: Double,
                              emit: (String) -> Void) throws(HALError) {
        var monitors = monitors
        guard durationSeconds > 0, durationSeconds.isFinite else {
            throw .invalidArgument("duration \(durationSeconds) s must be a positive number")
        }
        guard rateHz > 0, rateHz <= 100_000 else { throw .invalidArgument("rate \(rateHz) Hz must be within (0, 100000]") }
        guard durationSeconds * rateHz <= 1e9 else {
            throw .invalidArgument("\(durationSeconds) s at \(rateHz) Hz is over 10^9 samples; shorten the duration or lower the rate")
        }
        // Sample k is due at start + (k+1)/rate: counted, not accumulated, so
        // rounding never adds or drops a sample; and each sample closes a
        // full period (a monitor has converted at least once by then).
        let count = Int((durationSeconds * rateHz - 1e-9).rounded(.up))
        let start = clock.now()
        emit(header)
        for k in 0..<count {
            let wait = start + Double(k + 1) / rateHz - clock.now()
            if wait > 0 { clock.wait(wait) }
            for m in monitors.indices {
                let sample = try monitors[m].sample()
                emit(row(rail: monitors[m].railName, sample))
            }
        }
    }

    static func format(_ x: Double, digits: Int) -> String {
        x.isFinite ? String(format: "%.\(digits)f", x) : "nan"
    }
}
