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

    /// Loads a simulated board's configuration, or says why the file is not one.
    public static func loadSimulated(path: String) throws(BoardFileError) -> SimulatorConfiguration {
        switch try load(path: path) {
        case let .simulated(configuration): return configuration
        case let .hardware(configuration):
            throw BoardFileError(.outOfRange, file: path, key: "board.backend", value: "\"\(configuration.backend.rawValue)\"",
                                 expected: "\"simulated\": this command needs a simulated board")
        }
    }
}

