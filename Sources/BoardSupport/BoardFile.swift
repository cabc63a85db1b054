import CIMHAL
import CIMSimulator

/// What a board file describes, before any device is opened.
public enum BoardDescription: Sendable {
    case simulated(SimulatorConfiguration)
    case hardware(HardwareBoardConfiguration)
}

/// Loads and validates `boards/*.toml`.
public enum BoardFile {
    public static let backends = ["simulated"] + HardwareBoardConfiguration.Backend.allCases.map(\.rawValue)

    public static func load(path: String) throws(BoardFileError) -> BoardDescription {
        var reader = try BoardFileReader(path: path)
        let backend = try reader.string("board.backend", oneOf: backends)
        let description: BoardDescription
        if let hardware = HardwareBoardConfiguration.Backend(rawValue: backend) {
            description = .hardware(try HardwareBoardFile.configuration(from: &reader, backend: hardware))
        } else {
            description = .simulated(try SimulatedBoardFile.configuration(from: &reader))
        }
        try reader.rejectUnknownKeys(validKeysHint: "see docs/board-files.md for the keys a \(backend) board takes")
        return description
    }

    /// Loads a simulated board's configuration, or says why the file is not
    /// one. The backend is checked before anything else is read, so a file
    /// that names another board (an emulated board's `emulation.simulation`)
    /// is never followed from here: no chain of files, no cycle.
    public static func loadSimulated(path: String, purpose: String = "this command needs a simulated board") throws(BoardFileError) -> SimulatorConfiguration {
        var reader = try BoardFileReader(path: path)
        let backend = try reader.string("board.backend", oneOf: backends)
        guard backend == "simulated" else {
            throw BoardFileError(.outOfRange, file: path, key: "board.backend", value: "\"\(backend)\"",
                                 expected: "\"simulated\": \(purpose)")
        }
        let configuration = try SimulatedBoardFile.configuration(from: &reader)
        try reader.rejectUnknownKeys(validKeysHint: "see docs/board-files.md for the keys a simulated board takes")
        return configuration
    }
}

