import BoardSupport
import Foundation
import Testing

/// Where the repository's presets live, found from this file's own path so the
/// tests do not depend on the working directory.
enum Presets {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Tests/BoardSupportTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root

    static let directory = repositoryRoot.appendingPathComponent("boards")

    static let rram256 = directory.appendingPathComponent("sim-rram-256.toml").path

    /// Every simulated preset present now, sorted so test names are stable.
    static func simulatedPaths() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("sim-") && $0.hasSuffix(".toml") }.sorted()
            .map { directory.appendingPathComponent($0).path }
    }
}

/// The dotted keys a simple board file sets (section headers plus `key =`
/// lines). Enough for the presets, which use one table per section.
func dottedKeys(ofTOML text: String) -> [String] {
    var section = ""
    var keys: [String] = []
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if line.hasPrefix("[") && line.hasSuffix("]") {
            section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        } else if let eq = line.firstIndex(of: "=") {
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            keys.append(section.isEmpty ? key : section + "." + key)
        }
    }
    return keys
}

/// A fresh directory per test, removed when the test's reference goes away.
final class BoardSandbox {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cimfw-board-tests-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The RRAM preset, copied next to the boards that inherit from it
    /// (`inherits` is resolved relative to the inheriting file).
    @discardableResult
    func copyPreset(as name: String = "sim-rram-256.toml", appending extra: String = "") throws -> String {
        try write(name, String(contentsOfFile: Presets.rram256, encoding: .utf8) + extra)
    }

    /// A board that inherits the copied preset and sets `overrides`.
    func derived(_ overrides: String, name: String = "board.toml", from base: String = "sim-rram-256.toml") throws -> String {
        if !FileManager.default.fileExists(atPath: path(base)) { try copyPreset(as: base) }
        return try write(name, "inherits = \"\(base)\"\n" + overrides + "\n")
    }
}

/// Loads `path`, which must fail, and returns the error.
func loadFailure(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> BoardFileError {
    try #require(throws: BoardFileError.self, sourceLocation: sourceLocation) {
        try BoardFile.loadSimulated(path: path)
    }
}

/// A user fixes a board file from its message alone, so it must name these.
func expectMentions(_ error: BoardFileError, _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation) {
    for fragment in fragments {
        #expect(error.description.contains(fragment), "description \"\(error.description)\" should mention \"\(fragment)\"",
                sourceLocation: sourceLocation)
    }
}
