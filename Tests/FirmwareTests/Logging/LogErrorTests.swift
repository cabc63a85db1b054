import Foundation
import Testing
@testable import Firmware

@Suite("CSV log errors name the file, the operation and the cause")
struct LogErrorTests {
    func open(_ path: String, rotateBytes: Int = 4096, keep: Int = 2, flushSeconds: Double = 5,
              header: [String] = ["a", "b"]) throws(LogError) -> CSVLogWriter {
        try CSVLogWriter(path: path, header: header, flushIntervalSeconds: flushSeconds, rotateBytes: rotateBytes,
                         keepRotated: keep)
    }

    @Test func aDirectoryThatDoesNotExistIsAnErrorNamingThePath() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let path = dir.path("no/such/dir/log.csv")
        #expect {
            try open(path)
        } throws: { error in
            guard let error = error as? LogError else { return false }
            return error.path == path && error.operation == .openForAppending && error.errno == ENOENT
                && "\(error)".contains(path) && "\(error)".contains("No such file or directory")
        }
    }

    @Test func aPathThatIsADirectoryIsAnErrorNamingThePath() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        #expect {
            try open(dir.url.path)
        } throws: { error in
            guard let error = error as? LogError else { return false }
            return error.path == dir.url.path && error.errno == EISDIR && "\(error)".contains("open for appending")
        }
    }

    @Test(arguments: [
        (4, 2, 5.0, "rotateBytes", "4"),
        (4096, -1, 5.0, "keepRotated", "-1"),
        (4096, 2, -1.0, "flushIntervalSeconds", "-1.0"),
        (4096, 2, Double.nan, "flushIntervalSeconds", "nan"),
    ])
    func aSettingThatCannotWorkIsAnErrorNamingItAndItsValue(rotateBytes: Int, keep: Int, flushSeconds: Double,
                                                            name: String, value: String) throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        #expect {
            try open(dir.path("log.csv"), rotateBytes: rotateBytes, keep: keep, flushSeconds: flushSeconds)
        } throws: { error in
            guard let error = error as? LogError, case .invalidValue(let n, let v, let expected) = error.reason else { return false }
            return n == name && v == value && !expected.isEmpty && "\(error)".contains(dir.path("log.csv"))
        }
        // Nothing was created for a log that was refused.
        #expect(try dir.names().isEmpty)
    }

    @Test func anEmptyHeaderIsRefused() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        #expect(throws: LogError.self) { try open(dir.path("log.csv"), header: []) }
    }
}
