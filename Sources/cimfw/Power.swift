import ArgumentParser
import BoardSupport
import CIMHAL

struct Power: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream power samples from a board's monitors as CSV on stdout.")

    @Option(help: "Board file.")
    var board: String = "boards/sim-rram-256.toml"

    @Option(help: "How long to sample: 10s, 500ms, 2m, or plain seconds.", transform: Duration.parse)
    var duration: Duration = .seconds(10)

    @Option(help: "Samples per second for each monitor.")
    var rate: Double = 10

    func run() throws {
        let description: BoardDescription
        do { description = try BoardFile.load(path: board) } catch { throw CLIError("\(error)") }
        do {
            switch description {
            case .simulated:
                try PowerLog.record(try Board.open(description), durationSeconds: duration.seconds, rateHz: rate) { print($0) }
            case let .hardware(configuration):
                // Only the monitors: logging power must not reset or claim the eval board.
                let (monitors, clock) = try HardwareBoard.openPowerMonitors(configuration)
                try PowerLog.record(monitors, clock: clock, durationSeconds: duration.seconds, rateHz: rate) { print($0) }
            }
        } catch {
            throw CLIError.failure("\(board): \(error)")
        }
    }
}

extension Duration {
    /// "10s", "500ms", "2m", "1.5" (seconds).
    static func parse(_ text: String) throws -> Duration {
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        // At most a year: beyond it the count of milliseconds means nothing for a power log.
        func duration(_ seconds: Double) -> Duration? {
            guard seconds.isFinite, seconds > 0, seconds <= 31_536_000 else { return nil }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), let d = duration(value * scale) { return d }
        }
        if let value = Double(text), let d = duration(value) { return d }
        throw ValidationError("--duration \(text) is not a positive duration of at most a year (examples: 10s, 500ms, 2m)")
    }

    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
