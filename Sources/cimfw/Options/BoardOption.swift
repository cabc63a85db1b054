import ArgumentParser

/// `--board`: the board file a command opens (default: the simulated RRAM preset).
struct BoardOption: ParsableArguments {
    @Option(name: .customLong("board"), help: "Board file.")
    var path = "boards/sim-rram-256.toml"
}

/// `--firmware`: the firmware image directory (model.onnx, normalisation.json,
/// firmware.toml, test/).
struct FirmwareOption: ParsableArguments {
    @Option(name: .customLong("firmware"), help: "Firmware image directory (firmware.toml, model.onnx, normalisation.json, test/).")
    var directory = "firmware/kws-gru"
}

/// `--seed`: replaces the board file's seed for every random draw on a
/// simulated board (or the simulated macro behind an emulated one).
struct SeedOption: ParsableArguments {
    @Option(name: .customLong("seed"), help: "Seed for every random draw on a simulated board (defaults to the board file's board.seed).")
    var value: UInt64?
}

/// `--json`: machine-readable output instead of text.
struct JSONOption: ParsableArguments {
    @Flag(name: .customLong("json"), help: "Print JSON instead of text (one object; a stream of events, one per line).")
    var isOn = false
}

/// `--batch`: test clips run through the model together, each tile product
/// one batched MVM for all of them. Each command gives its own default.
enum BatchHelp {
    static let largest = 1024

    static func help(default clips: Int) -> ArgumentHelp {
        ArgumentHelp(
            "Test clips run through the model together (1...\(largest); default \(clips)).",
            discussion: "Every tile product is one batched MVM for the whole batch: on the simulator each weight read serves two clips, over an eval board's bus one command carries up to the board's batch limit. Each clip's arithmetic is that of a batch of one; read noise is drawn clip after clip within each batched MVM, so another batch size draws other noise.")
    }

    static func validate(_ clips: Int) throws {
        guard (1...largest).contains(clips) else {
            throw ValidationError("--batch \(clips) is invalid; expected 1...\(largest) clips at once")
        }
    }
}
