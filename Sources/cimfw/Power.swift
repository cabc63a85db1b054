import ArgumentParser
import BoardSupport
import CIMHAL

struct Power: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream power samples from a board's monitors as CSV on stdout.")

    @OptionGroup var board: BoardOption

    @Option(help: "How long to sample: 10s, 500ms, 2m, or plain seconds.")
    var duration = TimeSpan(seconds: 10, text: "10s")

    @Option(help: "Samples per second for each monitor (0.01 to 100000).")
    var rate: Double = 10

    func validate() throws {
        try TimeSpan.validatePositive(duration, option: "duration")
        guard rate.isFinite, (0.01...100_000).contains(rate) else {
            throw ValidationError("--rate \(rate): expected samples per second from 0.01 to 100000")
        }
    }

    func run() throws {
        let description = try BoardFile.load(path: board.path)
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
            throw CLIError.failure("\(board.path): \(error)")
        }
    }
}
