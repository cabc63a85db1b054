import Foundation
import Testing

/// Every command shares one rule for its exit status: 0 done, 1 the work
/// failed, 2 bad input — a flag, a file or a value — with a message that
/// names it, and nothing on stdout.
@Suite struct ExitStatusTests {
    let cli = CharacterizeCommandTests()

    func expectBadInput(_ arguments: [String], names text: String) throws {
        let result = try cli.run(arguments)
        #expect(result.status == 2, "\(arguments.joined(separator: " ")): exit \(result.status), \(result.stderr)")
        #expect(result.stderr.contains(text), "stderr lacks \(text): \(result.stderr)")
        #expect(result.stdout.isEmpty, "nothing on stdout: \(result.stdout)")
    }

    @Test func anUnknownFlagIsBadInput() throws {
        try expectBadInput(["characterize", "--no-such-flag"], names: "--no-such-flag")
    }

    @Test func aFlagValueOfTheWrongTypeIsBadInput() throws {
        try expectBadInput(["characterize", "--vectors", "many"], names: "many")
    }

    @Test func aMissingBoardFileIsBadInputForEveryCommandThatReadsOne() throws {
        let missing = "/nonexistent/board.toml"
        for command in ["compile firmware/kws-gru", "accuracy", "power --duration 1s", "probe"] {
            try expectBadInput(command.split(separator: " ").map(String.init) + ["--board", missing], names: missing)
        }
    }

    @Test func aMissingFirmwareImageIsBadInput() throws {
        try expectBadInput(["compile", "/nonexistent/image"], names: "/nonexistent/image")
    }

    @Test func aMissingClipsDirectoryIsBadInput() throws {
        try expectBadInput(["accuracy", "--clips", "/nonexistent/clips"], names: "/nonexistent/clips")
    }

    @Test func anOutOfRangeOptionIsBadInput() throws {
        try expectBadInput(["accuracy", "--input-replicas", "0"], names: "--input-replicas 0")
    }

    /// A hop under one sample once trapped converting to Int; a hop over the
    /// window once ran for minutes. Both are outside the manifest's range.
    @Test func aHopOutsideTheManifestRangeIsBadInput() throws {
        try expectBadInput(["run", "--hop", "0.4ms", "--no-log"], names: "--hop 0.4ms: expected 10 ms to 1000 ms")
        try expectBadInput(["run", "--hop", "1h", "--no-log"], names: "--hop 1h: expected 10 ms to 1000 ms")
    }

    /// Each time option is named in its own refusal, not --duration's.
    @Test func aZeroTimeSpanNamesItsOwnOption() throws {
        try expectBadInput(["run", "--hop", "0", "--no-log"], names: "'--hop <hop>'")
        try expectBadInput(["run", "--accuracy-every", "0s", "--no-log"], names: "'--accuracy-every <accuracy-every>'")
        try expectBadInput(["run", "--duration", "0ms", "--no-log"], names: "'--duration <duration>'")
        try expectBadInput(["power", "--duration", "2y"], names: "'--duration <duration>'")
        try expectBadInput(["power", "--rate", "0"], names: "--rate 0.0")
    }

    static let commands = ["run", "characterize", "compile", "accuracy", "classify", "evaluate", "probe", "power", "soak", "emulate"]

    /// `cimfw emulate` serves an emulated board's models: anything else, or a
    /// bad address or errno, is bad input; no cimbridge module is a failure
    /// that says what to load.
    @Test func emulateRefusesWhatItCannotServe() throws {
        try expectBadInput(["emulate", "--time-address", "0x80"], names: "--time-address 0x80")
        try expectBadInput(["emulate", "--nack-errno", "EPERM"], names: "--nack-errno EPERM")
        let simulated = try cli.run(["emulate", "--board", "boards/sim-rram-256.toml"])
        #expect(simulated.status == 2 && simulated.stderr.contains("boards/sim-rram-256.toml") && simulated.stderr.contains("emulated"),
                "exit \(simulated.status): \(simulated.stderr)")
        let noModule = try cli.run(["emulate", "--bridge", "/nonexistent/cimbridge"])
        #expect(noModule.status == 1 && noModule.stderr.contains("cimbridge module"), "exit \(noModule.status): \(noModule.stderr)")
    }

    /// The contract per command: argument errors are bad input (2), naming
    /// the flag; `--help` is a success (0) with the usage on stdout.
    @Test(arguments: commands)
    func everyCommandKeepsTheContract(command: String) throws {
        // With its required arguments given, so the unknown flag is what is wrong.
        let required = ["classify": ["firmware/kws-gru/test"], "probe": ["--board", "boards/virtual-eval.toml"]][command] ?? []
        try expectBadInput([command] + required + ["--no-such-flag"], names: "--no-such-flag")
        let help = try cli.run([command, "--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: cimfw \(command)"), "\(command) --help: \(help.status)")
    }

    /// stdin that is not audio is bad input, not a fault: an odd byte count
    /// cannot be 16-bit PCM.
    @Test func stdinThatIsNotPCMIsBadInput() throws {
        let result = try cli.run(["run", "--audio", "-", "--no-log", "--quiet"], stdin: Data([1, 2, 3]))
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("stdin") || result.stderr.contains("-"), "\(result.stderr)")
    }
}
