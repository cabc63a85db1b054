import BoardSupport
import CIMSimulator
import Foundation
import Testing

/// The simulated board file is read from the keys each effect declares
/// (`SimulatorConfiguration.sections`): these specify how declarations,
/// presets, documentation and files a user writes relate.
@Suite("Simulated board-file keys come from the effects' declarations")
struct SimulatedBoardKeyTests {
    @Test("every preset sets every declared key itself, so each value can carry its source",
          arguments: Presets.simulatedPaths())
    func presetsAreComplete(path: String) throws {
        let keys = Set(dottedKeys(ofTOML: try String(contentsOfFile: path, encoding: .utf8)))
        let missing = SimulatorConfiguration.boardFileKeys.filter { !keys.contains($0) }
        #expect(missing.isEmpty, "\(path) leaves out \(missing)")
    }

    @Test("docs/board-files.md lists every declared key with its type and the range the reader checks")
    func documentationMatchesDeclarations() throws {
        let docs = try String(contentsOf: Presets.repositoryRoot.appendingPathComponent("docs/board-files.md"), encoding: .utf8)
        let headings = docs.components(separatedBy: "\n### ")
        for section in SimulatorConfiguration.sections {
            for parameter in section.parameters {
                let key = "\(section.table).\(parameter.name)"
                let chunk = headings.first { $0.hasPrefix("`[\(section.table)]`") || $0.contains(", `[\(section.table)]`") }
                let row = chunk?.split(separator: "\n").first {
                    $0.hasPrefix("| `\(key)`") || $0.hasPrefix("| `\(parameter.name)`")
                }
                guard let row else {
                    Issue.record("docs/board-files.md has no row for \(key)")
                    continue
                }
                let type = switch parameter.kind {
                case .flag: "bool"
                case .integer: "integer"
                case .real: "number"
                case .choice: "string"
                }
                #expect(row.contains("| \(type) |"), "\(key): \(row)")
                if let range = parameter.documentedRange {
                    #expect(row.contains(range), "\(key) should document \(range): \(row)")
                }
                if case let .choice(options) = parameter.kind {
                    for option in options { #expect(row.contains("\"\(option)\""), "\(key) should list \(option): \(row)") }
                }
            }
        }
    }

    @Test("a board file may leave out the tables of effects it does not model: they are off")
    func effectTablesMayBeLeftOut() throws {
        let sandbox = try BoardSandbox()
        let preset = try String(contentsOfFile: Presets.rram256, encoding: .utf8)
        var text = preset
        for table in ["drift", "temperature", "read_noise", "stuck_at"] {
            for key in SimulatorConfiguration.boardFileKeys where key.hasPrefix(table + ".") {
                text = removingKey(key, from: text)
            }
        }
        let c = try BoardFile.loadSimulated(path: sandbox.write("board.toml", text))
        let full = try BoardFile.loadSimulated(path: Presets.rram256)
        #expect(c.drift == .off && c.temperature == .off && c.readNoise == .off && c.stuckAt == .off)
        #expect(c.irDrop == full.irDrop && c.adc == full.adc && c.energy == full.energy, "the tables it sets are read as before")
    }

    @Test("a switched-off effect may leave out its parameters; switched on, each is required")
    func parametersRequiredWhileOn() throws {
        let sandbox = try BoardSandbox()
        let preset = try String(contentsOfFile: Presets.rram256, encoding: .utf8)
        let withoutMean = removingKey("drift.exponent_mean", from: preset)
        let off = withoutMean.replacingOccurrences(of: "[drift]\nenabled = true", with: "[drift]\nenabled = false")
        #expect(off != withoutMean, "the preset's [drift] table starts with its switch")
        let c = try BoardFile.loadSimulated(path: sandbox.write("off.toml", off))
        #expect(!c.drift.enabled && c.drift.exponentMean == 0)

        let error = try loadFailure(sandbox.write("on.toml", withoutMean))
        #expect(error.kind == .missingKey && error.key == "drift.exponent_mean")
        #expect(error.expected.contains("0...1"), "\(error.expected)")
    }

    @Test("[execution] chooses how the chip runs a model: host-driven when left out, on chip when asked")
    func executionModel() throws {
        let sandbox = try BoardSandbox()
        let base = try String(contentsOfFile: Presets.rram256, encoding: .utf8)
        var withoutTable = base
        for key in SimulatorConfiguration.boardFileKeys where key.hasPrefix("execution.") { withoutTable = removingKey(key, from: withoutTable) }
        let left = try BoardFile.loadSimulated(path: sandbox.write("left-out.toml", withoutTable))
        #expect(left.execution == .hostDriven && left.execution.executionModel == .hostDriven)
        let onChip = try BoardFile.loadSimulated(path: sandbox.derived("[execution]\nmodel = \"on_chip\"\nperiphery_lanes = 128", name: "on-chip.toml"))
        // The preset's values as the file's units convert them, but 128 lanes.
        var expected = try BoardFile.loadSimulated(path: Presets.rram256).execution.sequencer
        expected.peripheryLanes = 128
        #expect(onChip.execution.executionModel == .onChip(expected))
        let error = try loadFailure(sandbox.derived("[execution]\nmodel = \"sequenced\"", name: "bad.toml"))
        #expect(error.key == "execution.model" && error.expected.contains("\"on_chip\""), "\(error)")
    }

    /// Protocol 1.4: a macro that sequences on chip gives the emulated board
    /// a sequencer (ProgramAndRunTests runs it); one allowing both models
    /// is evaluated both ways, like a simulated board.
    @Test("an emulated eval board takes an on-chip macro, or one allowing both models, behind it",
          arguments: [("model = \"on_chip\"", false), ("model = \"on_chip\"\nboth_models = true", true)])
    func onChipBehindAnEmulatedBoard(_ setting: String, _ both: Bool) throws {
        let sandbox = try BoardSandbox()
        let macro = try sandbox.derived("[execution]\n" + setting, name: "macro.toml")
        let virtual = try String(contentsOf: Presets.directory.appendingPathComponent("virtual-eval.toml"), encoding: .utf8)
            .replacingOccurrences(of: "simulation = \"sim-rram-256.toml\"", with: "simulation = \"\(macro)\"")
        guard case let .hardware(c) = try BoardFile.load(path: sandbox.write("virtual.toml", virtual)) else {
            Issue.record("not a hardware board"); return
        }
        #expect(c.simulation?.execution.model == "on_chip" && c.simulation?.execution.bothModels == both)
    }

    @Test("the ADC's energy comes from one model: a figure of merit or NeuroSim's coefficients, not both and not neither")
    func oneADCEnergyModel() throws {
        let sandbox = try BoardSandbox()
        let both = try loadFailure(sandbox.derived("[energy]\nadc_microwatts_per_bit = 0.538\nadc_microwatts_base = 4.3753", name: "both.toml"))
        #expect(both.key == "energy.adc_femtojoules_per_conversion_step" && both.value == "233" && both.expected.contains("not both"), "\(both)")
        let neither = try loadFailure(sandbox.derived("[energy]\nadc_femtojoules_per_conversion_step = 0", name: "neither.toml"))
        #expect(neither.key == "energy.adc_femtojoules_per_conversion_step" && neither.expected.contains("figure of merit above 0"), "\(neither)")
        let neuroSim = try BoardFile.loadSimulated(path: sandbox.derived(
            "[energy]\nadc_femtojoules_per_conversion_step = 0\nadc_microwatts_per_bit = 0.538\nadc_microwatts_base = 4.3753", name: "neurosim.toml"))
        // NeuroSim 22 nm: (0.538·6 + 4.3753) µW × 7 ns for the preset's 6-bit converter.
        #expect(abs(neuroSim.energy.adcConversionJoules(bits: 6) - 53.2e-15) < 0.2e-15)
    }

    @Test("a key a table does not declare is still an unknown key, even in an effect's table")
    func undeclaredKeysAreUnknown() throws {
        let sandbox = try BoardSandbox()
        let error = try loadFailure(sandbox.derived("drift.exponent_median = 0.01"))
        #expect(error.kind == .unknownKey && error.key == "drift.exponent_median")
    }
}
