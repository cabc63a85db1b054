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
        let opened: Board
        do { opened = try Board.open(description) } catch { throw CLIError("\(board): \(error)") }
        do {
            try PowerLog.record(opened, durationSeconds: duration.seconds, rateHz: rate) { print($0) }
        } catch {
            throw CLIError("\(board): \(error)")
        }
    }
}

extension Duration {
    /// "10s", "500ms", "2m", "1.5" (seconds).
    static func parse(_ text: String) throws -> Duration {
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value.isFinite, value > 0 {
                return .milliseconds(Int64((value * scale * 1000).rounded()))
            }
        }
        if let value = Double(text), value.isFinite, value > 0 { return .milliseconds(Int64((value * 1000).rounded())) }
        throw ValidationError("--duration \(text) is not a positive duration (examples: 10s, 500ms, 2m)")
    }

    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
