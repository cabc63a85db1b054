import ArgumentParser

/// The firmware image, board and seed every keyword-spotting command deploys with.
struct SessionOptions: ParsableArguments {
    @OptionGroup var firmware: FirmwareOption
    @OptionGroup var board: BoardOption
    @OptionGroup var seed: SeedOption

    func session() throws -> KWSSession {
        try KWSSession(firmware: firmware.directory, boardPath: board.path, seed: seed.value)
    }
}
