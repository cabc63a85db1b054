import Foundation
import Testing

/// Every seed and every crash input kept in Tests/FuzzCorpus, replayed
/// through its fuzz target in an ordinary build: a parser that once crashed
/// on an input keeps not crashing on it.
@Suite struct FuzzCorpusTests {
    static let targets = ["board-file", "manifest", "wav", "onnx", "eval-protocol", "csv-repair", "stdin-pcm", "sweep-spec", "on-chip-program"]

    @Test(arguments: targets)
    func theCorpusReplaysWithoutACrash(target: String) throws {
        let executable = CharacterizeCommandTests.executable.deletingLastPathComponent().appendingPathComponent("cimfw-fuzz")
        let corpus = CharacterizeCommandTests.repositoryRoot.appendingPathComponent("Tests/FuzzCorpus/\(target)")
        let process = Process()
        process.executableURL = executable
        process.arguments = [target, corpus.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(target): \(stdout)")
        #expect(stdout.contains("inputs replayed, no crash"))
    }
}
