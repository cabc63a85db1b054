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
