import BoardSupport
import CIMSimulator
import Foundation
import Testing

@Suite("Board presets (boards/sim-*.toml)")
struct PresetTests {
    @Test("the RRAM preset is present")
    func rramPresetExists() {
        #expect(Presets.simulatedPaths().contains(Presets.rram256), "looked in \(Presets.directory.path)")
    }

    @Test("every preset loads and opens as a simulated board", arguments: Presets.simulatedPaths())
    func loads(path: String) throws {
        let configuration = try BoardFile.loadSimulated(path: path)
        let board = try Board.open(.simulated(configuration))
        #expect(board.accelerator.geometry == configuration.geometry)
    }

    @Test("every preset is complete by itself: no 'inherits'", arguments: Presets.simulatedPaths())
    func noInherits(path: String) throws {
        let keys = dottedKeys(ofTOML: try String(contentsOfFile: path, encoding: .utf8))
        #expect(!keys.isEmpty, "no keys parsed from \(path)")
        #expect(!keys.contains("inherits"))
    }

    @Test("a preset's board.name is its file name", arguments: Presets.simulatedPaths())
    func nameMatchesFile(path: String) throws {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        #expect(try BoardFile.loadSimulated(path: path).name == stem)
    }

    @Test("sim-rram-256 is 256x256 with 6-bit ADCs, ±10% uniform programming spread and −0.3%/K")
    func rramFacts() throws {
        let c = try BoardFile.loadSimulated(path: Presets.rram256)
        #expect(c.name == "sim-rram-256")
        #expect(c.technology == .rram)
        #expect(c.rows == 256)
        #expect(c.columns == 256)
        #expect(c.adc.bits == 6)
        #expect(c.geometry.outputCodeMax == 31)
        #expect(c.programming.enabled)
        #expect(c.programming.variabilityRelative == 0.10)
        #expect(c.programming.distribution == .uniform)
        #expect(c.temperature.coefficientMeanPerKelvin == -0.003)
    }

    /// Each preset's core energy is built from components with cited
    /// coefficients, none fitted; the chip figure they give lands within 25%
    /// of the modelled chip's published TOPS/W, except where the preset's
    /// comments explain why not (sim-nor-flash: Mythic's figure is the whole
    /// chip at its tiles' real, slower rate).
    @Test("a preset's derived chip TOPS/W is within 25% of its chip's published figure",
          arguments: ["sim-rram-256", "sim-pcm", "sim-sram-4bit"])
    func derivedEfficiencyMatchesThePublishedFigure(_ preset: String) throws {
        let c = try BoardFile.loadSimulated(path: Presets.directory.appendingPathComponent("\(preset).toml").path)
        #expect(c.energy.peripheryJoulesPerMVM == 0, "no fitted term")
        let report = try Characterization(configuration: c, testVectors: 8, ageSeconds: 0).report()
        let ratio = try #require(report.throughput.derivedOverPublished)
        #expect(abs(ratio - 1) <= 0.25, "\(preset): derived \(report.throughput.chipTOPSPerWatt) TOPS/W against \(c.energy.publishedTOPSPerWatt)")
    }

    @Test("sim-rram-256 converts board-file units to SI")
    func rramUnits() throws {
        let c = try BoardFile.loadSimulated(path: Presets.rram256)
        #expect(abs(c.mapping.gMaxSiemens - 39e-6) <= 1e-18)
        #expect(abs(c.energy.staticWatts - 0.020) <= 1e-15)
        #expect(abs(c.energy.boardOverheadWatts - 0.250) <= 1e-15)
        #expect(abs(c.programmingCost.pulseSeconds - 100e-9) <= 1e-21)
    }
}
