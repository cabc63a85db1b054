import Foundation
import Testing

/// `cimfw probe`: the exit code says whether the board is what its file says.
@Suite struct ProbeCommandTests {
    let runner = CharacterizeCommandTests()

    @Test func theVirtualBoardMatchesItsFile() throws {
        let result = try runner.run(["probe", "--board", "boards/virtual-eval.toml"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("0x2c  CIM eval board") && result.stdout.contains("0x40  INA226"))
        #expect(!result.stdout.contains("MISMATCH"))
    }

    @Test func anEmulatedBoardWithTwoMonitorsIdentifiesBoth() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let boards = CharacterizeCommandTests.repositoryRoot.appendingPathComponent("boards")
        let text = try String(contentsOf: boards.appendingPathComponent("virtual-eval.toml"), encoding: .utf8)
            .replacingOccurrences(of: "simulation = \"sim-rram-256.toml\"", with: "simulation = \"\(boards.appendingPathComponent("sim-rram-256.toml").path)\"")
            .replacingOccurrences(of: "[power.board]", with: "[power.cim]\nchip = \"ina260\"\naddress = 0x45\naveraging = 1\nbus_conversion_microseconds = 140\nshunt_conversion_microseconds = 140\nmax_current_amps = 15.0\n\n[power.board]")
        let path = directory.appendingPathComponent("board.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runner.run(["probe", "--board", path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("ok       0x45  expected INA260 for rail cim; found INA260"))
    }

    @Test(.enabled(if: !FileManager.default.fileExists(atPath: "/dev/i2c-1"), "this machine has /dev/i2c-1"))
    func aMissingBusExitsTwoAndSaysWhatToDo() throws {
        let result = try runner.run(["probe", "--board", "boards/rpi4-cim-eval.toml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/dev/i2c-1") && result.stderr.contains("modprobe i2c-dev"))
    }

    @Test func aBadBoardFileIsNamedOnce() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-probe-missing-\(UUID().uuidString).toml").path
        let result = try runner.run(["probe", "--board", path])
        #expect(result.status == 2)
        #expect(result.stderr.components(separatedBy: path).count == 2, "the path appears once: \(result.stderr)")
    }
}
