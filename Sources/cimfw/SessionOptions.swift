import ArgumentParser

/// The firmware image, board and seed every keyword-spotting command deploys with.
struct SessionOptions: ParsableArguments {
    @Option(help: "Firmware image directory (model.onnx, normalisation.json, test/).")
    var firmware: String = "firmware/kws-gru"

    @Option(help: "Board file.")
    var board: String = "boards/sim-rram-256.toml"

    @Option(help: "Seed for every random draw on a simulated board (defaults to the board file's).")
    var seed: UInt64?

    func session() throws -> KWSSession {
        try KWSSession(firmware: firmware, boardPath: board, seed: seed)
    }
}
