import BoardSupport
import CIMSimulator
import Foundation
import Testing

/// The commented templates in boards/templates must load with the current
/// parser, so a user who copies one starts from a file that works.
@Suite("Board file templates (boards/templates)")
struct TemplateBoardFileTests {
    static let directory = Presets.directory.appendingPathComponent("templates")
    static let simulatedChip = directory.appendingPathComponent("new-simulated-chip.toml").path
    static let evalBoard = directory.appendingPathComponent("new-eval-board.toml").path

    @Test("the simulated-chip template loads as a simulated board and builds a simulator")
    func simulatedChipLoads() throws {
        guard case let .simulated(configuration) = try BoardFile.load(path: Self.simulatedChip) else {
            Issue.record("\(Self.simulatedChip) is not a simulated board")
            return
        }
        #expect(configuration.name == "new-simulated-chip")
        #expect(try BoardFile.loadSimulated(path: Self.simulatedChip) == configuration)
        let board = try Board.open(.simulated(configuration))
        #expect(board.accelerator.geometry == configuration.geometry)
    }

    @Test("the simulated-chip template inherits nothing and sets every key a preset sets")
    func simulatedChipIsComplete() throws {
        let keys = dottedKeys(ofTOML: try String(contentsOfFile: Self.simulatedChip, encoding: .utf8))
        #expect(!keys.contains("inherits"))
        let presetKeys = dottedKeys(ofTOML: try String(contentsOfFile: Presets.rram256, encoding: .utf8))
        #expect(Set(keys) == Set(presetKeys), "differs from the preset's keys by \(Set(keys).symmetricDifference(presetKeys).sorted())")
    }

    /// Parsed only: opening it would need /dev/i2c-1 and a gpiochip.
    @Test("the eval-board template parses as a linux board with an INA226 rail and an INA3221 rail")
    func evalBoardParses() throws {
        guard case let .hardware(c) = try BoardFile.load(path: Self.evalBoard) else {
            Issue.record("\(Self.evalBoard) is not a hardware board")
            return
        }
        #expect(c.name == "new-eval-board")
        #expect(c.backend == .linux)
        #expect(c.simulation == nil)
        #expect(c.claimedPeakTOPS == nil)
        #expect(c.i2cBus == 1 && !c.forceAddress && c.evalBoardAddress == 0x2C)
        #expect(!c.gpioChip.isEmpty && !c.resetLine.isEmpty && !c.readyLine.isEmpty && !c.markerLine.isEmpty)
        let rails = Dictionary(uniqueKeysWithValues: c.powerMonitors.map { ($0.rail, $0) })
        #expect(rails.keys.sorted() == ["board", "cim"])
        let board = try #require(rails["board"])
        #expect(board.chip.rawValue == "ina226" && board.rshuntMicroOhms == 10_000)
        let cim = try #require(rails["cim"])
        #expect(cim.chip.rawValue == "ina3221" && cim.channel == 1 && cim.rshuntMicroOhms == 100_000)
        #expect(cim.address != board.address && cim.address != c.evalBoardAddress)
    }

    @Test("a simulated-only command refuses the eval-board template")
    func evalBoardIsNotSimulated() {
        #expect(throws: BoardFileError.self) { try BoardFile.loadSimulated(path: Self.evalBoard) }
    }
}
