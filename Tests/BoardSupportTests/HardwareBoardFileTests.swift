import BoardSupport
import Foundation
import Testing

@Suite("Hardware board files")
struct HardwareBoardFileTests {
    func hardware(_ path: String) throws -> HardwareBoardConfiguration {
        guard case let .hardware(c) = try BoardFile.load(path: path) else {
            Issue.record("\(path) is not a hardware board")
            throw BoardFileError(.inconsistent, file: path, expected: "a hardware board")
        }
        return c
    }

    @Test func theRaspberryPiBoardsNameTheirBusLinesAndMonitor() throws {
        for name in ["rpi4-cim-eval", "rpi5-cim-eval"] {
            let c = try hardware(Presets.directory.appendingPathComponent("\(name).toml").path)
            #expect(c.backend == .linux && c.i2cBus == 1 && c.evalBoardAddress == 0x2C)
            #expect(c.resetLine == "GPIO17" && c.readyLine == "GPIO27" && c.markerLine == "GPIO22")
            #expect(c.powerMonitors.map(\.rail) == ["board"])
            #expect(c.powerMonitors[0].chip.rawValue == "ina226" && c.powerMonitors[0].rshuntMicroOhms == 10_000)
            #expect(c.simulation == nil)
        }
    }

    @Test func theVirtualBoardCarriesItsSimulatedMacro() throws {
        let c = try hardware(Presets.directory.appendingPathComponent("virtual-eval.toml").path)
        #expect(c.backend == .emulated)
        #expect(c.simulation?.name == "sim-rram-256")
    }

    @Test func badHardwareValuesAreRejectedWithFileKeyAndValue() throws {
        let sandbox = try BoardSandbox()
        _ = try sandbox.copyPreset(as: "sim-rram-256.toml")
        let base = try String(contentsOfFile: Presets.directory.appendingPathComponent("virtual-eval.toml").path, encoding: .utf8)
        let cases: [(String, String, String, String)] = [
            ("address = 0x40\nrshunt", "power.board.address", "64", "each device at its own I2C address"),
            ("address = 0x2C\nprogram", "eval_board.address", "3", "8...119"),
            ("averaging = 1\n", "power.board.averaging", "3", "one of 1, 4, 16, 64"),
            ("bus_conversion_microseconds = 140", "power.board.bus_conversion_microseconds", "150", "one of"),
        ]
        for (original, key, bad, expected) in cases {
            var text = base
            switch key {
            case "power.board.address": text = text.replacingOccurrences(of: "address = 0x2C\n", with: "address = 0x40\n")
            case "eval_board.address": text = text.replacingOccurrences(of: "address = 0x2C\n", with: "address = 0x03\n")
            case "power.board.averaging": text = text.replacingOccurrences(of: "averaging = 1 ", with: "averaging = 3 ")
            default: text = text.replacingOccurrences(of: "bus_conversion_microseconds = 140", with: "bus_conversion_microseconds = 150")
            }
            _ = original
            let path = try sandbox.write("board-\(key).toml", text)
            let error = try hardwareLoadFailure(path)
            #expect(error.file == path)
            #expect(error.description.contains(expected), "\(key): \(error)")
            if key != "power.board.address" { #expect(error.key == key && error.value == bad, "\(error)") }
        }
    }

    /// A chip added to the registry (`INAChips`) is read from a board file,
    /// built on an emulated bus, sampled and probed like the others; its own
    /// conversion times are accepted and another chip's refused.
    @Test func anINA228RailIsReadOpenedSampledAndProbed() throws {
        let sandbox = try BoardSandbox()
        _ = try sandbox.copyPreset(as: "sim-rram-256.toml")
        let base = try String(contentsOfFile: Presets.directory.appendingPathComponent("virtual-eval.toml").path, encoding: .utf8)
        let text = base.replacingOccurrences(of: "chip = \"ina226\"", with: "chip = \"ina228\"")
            .replacingOccurrences(of: "bus_conversion_microseconds = 140", with: "bus_conversion_microseconds = 50")
            .replacingOccurrences(of: "shunt_conversion_microseconds = 140", with: "shunt_conversion_microseconds = 84")
        let c = try hardware(try sandbox.write("ina228.toml", text))
        #expect(c.powerMonitors.map(\.chip.partNumber) == ["INA228"])
        let board = try Board.open(.hardware(c))
        board.clock.wait(0.01)
        var monitor = try #require(board.powerMonitors.first)
        let sample = try monitor.sample()
        #expect(abs(sample.busVolts - 3.3) < 1e-3, "\(sample)")
        #expect(sample.powerWatts > 0.1 && sample.powerWatts < 1, "\(sample)")
        var bus = try #require(board.capability(FaultInjection.self)?.emulatedBus)
        let report = BoardProbe.run(&bus, against: c)
        #expect(report.matches, "\(report.checks)")
        #expect(report.findings.map(\.identity).contains(.powerMonitor(partNumber: "INA228", revision: 1)))

        let ina226 = text.replacingOccurrences(of: "chip = \"ina228\"", with: "chip = \"ina226\"")
        let error = try hardwareLoadFailure(try sandbox.write("ina226-at-50.toml", ina226))
        #expect(error.key == "power.board.bus_conversion_microseconds" && error.value == "50", "\(error)")
        #expect(error.description.contains("one of 140, 204"), "\(error)")
    }

    @Test func aDatasheetPeakIsReadAndAnImpossibleOneRefused() throws {
        let sandbox = try BoardSandbox()
        _ = try sandbox.copyPreset(as: "sim-rram-256.toml")
        let base = try String(contentsOfFile: Presets.directory.appendingPathComponent("virtual-eval.toml").path, encoding: .utf8)
        #expect(try hardware(Presets.directory.appendingPathComponent("virtual-eval.toml").path).claimedPeakTOPS == nil)
        let stated = try sandbox.write("peak.toml", base.replacingOccurrences(of: "[eval_board]\n", with: "[eval_board]\npeak_tops = 25.0\n"))
        #expect(try hardware(stated).claimedPeakTOPS == 25)
        let board = try Board.open(try BoardFile.load(path: stated))
        #expect(board.claimedPeakTOPS == 25)
        let bad = try sandbox.write("bad-peak.toml", base.replacingOccurrences(of: "[eval_board]\n", with: "[eval_board]\npeak_tops = -3.0\n"))
        let error = try hardwareLoadFailure(bad)
        #expect(error.key == "eval_board.peak_tops" && (error.value ?? "").contains("-3"), "\(error)")
    }

    func hardwareLoadFailure(_ path: String) throws -> BoardFileError {
        do {
            _ = try BoardFile.load(path: path)
        } catch {
            return error
        }
        Issue.record("\(path) loaded, but should have been rejected")
        throw BoardFileError(.inconsistent, file: path, expected: "a rejection")
    }

    /// An emulated board whose simulation names itself (or another emulated
    /// board) once recursed until the stack overflowed.
    @Test func anEmulatedBoardWhoseSimulationIsNotASimulatedBoardIsRefused() throws {
        let sandbox = try BoardSandbox()
        let base = try String(contentsOfFile: Presets.directory.appendingPathComponent("virtual-eval.toml").path, encoding: .utf8)
        guard let line = base.split(separator: "\n").first(where: { $0.hasPrefix("simulation") }) else {
            Issue.record("virtual-eval.toml has no simulation line")
            return
        }
        let selfish = try sandbox.write("self.toml", base.replacingOccurrences(of: String(line), with: "simulation = \"self.toml\""))
        let error = try hardwareLoadFailure(selfish)
        expectMentions(error, "self.toml", "board.backend", "\"emulated\"", "emulation.simulation", "must name a simulated board file")
        _ = try sandbox.write("other.toml", base.replacingOccurrences(of: String(line), with: "simulation = \"self.toml\""))
        let chained = try sandbox.write("chain.toml", base.replacingOccurrences(of: String(line), with: "simulation = \"other.toml\""))
        expectMentions(try hardwareLoadFailure(chained), "other.toml", "must name a simulated board file")
    }

    /// `[emulation.faults]` reaches the emulated bus: the soak board injects
    /// all four kinds, and an emulated board without the table injects none.
    @Test func theGlitchyBoardInjectsItsFaultsFromTheFile() throws {
        let c = try hardware(Presets.directory.appendingPathComponent("virtual-eval-glitchy.toml").path)
        #expect(c.faults.nackRate == 0.01 && c.faults.timeoutRate == 0.01 && c.faults.corruptReadRate == 0.01)
        #expect(c.faults.vanishAddress == 0x40 && c.faults.vanishEverySeconds == 3600 && c.faults.vanishForSeconds == 1)
        #expect(c.simulation?.name == "sim-rram-256", "emulation.simulation resolved beside the file that set it")
        let board = try Board.open(.hardware(c))
        #expect(board.capability(FaultInjection.self)?.emulatedBus.faults.count == 4)
        #expect(try hardware(Presets.directory.appendingPathComponent("virtual-eval.toml").path).faults.isEmpty)
    }

    @Test func badFaultSettingsNameTheirKey() throws {
        let sandbox = try BoardSandbox()
        _ = try sandbox.copyPreset(as: "sim-rram-256.toml")
        let base = try String(contentsOfFile: Presets.directory.appendingPathComponent("virtual-eval.toml").path, encoding: .utf8)
        let cases: [(String, String, String)] = [
            ("nack_rate = 0.9", "emulation.faults.nack_rate", "0...0.5"),
            ("timeout_rate = -0.1", "emulation.faults.timeout_rate", "0...0.5"),
            ("corrupt_read_rate = \"often\"", "emulation.faults.corrupt_read_rate", "a number"),
            ("vanish_address = 0x40", "emulation.faults.vanish_every_seconds", "together"),
            ("vanish_address = 0x40\nvanish_every_seconds = 10\nvanish_for_seconds = 20", "emulation.faults.vanish_for_seconds", "0...10"),
            ("jitter = 1", "emulation.faults.jitter", "unknown"),
        ]
        for (n, (line, key, expected)) in cases.enumerated() {
            let path = try sandbox.write("faults-\(n).toml", base + "\n[emulation.faults]\n\(line)\n")
            let error = try hardwareLoadFailure(path)
            #expect(error.key == key, "\(error)")
            #expect(error.description.lowercased().contains(expected.lowercased()), "\(error)")
        }
    }

    @Test func aSimulatedOnlyCommandRefusesAHardwareBoard() throws {
        #expect(throws: BoardFileError.self) { try BoardFile.loadSimulated(path: Presets.directory.appendingPathComponent("rpi4-cim-eval.toml").path) }
    }
}

@Suite("Hardware board files: INA3221 rails")
struct INA3221RailTests {
    let sandbox: BoardSandbox

    init() throws { sandbox = try BoardSandbox() }

    func board(_ rails: String) throws -> String {
        _ = try sandbox.copyPreset(as: "sim-rram-256.toml")
        let base = try String(contentsOfFile: Presets.directory.appendingPathComponent("virtual-eval.toml").path, encoding: .utf8)
        let head = base[..<(base.range(of: "[power.board]")?.lowerBound ?? base.endIndex)]
        return try sandbox.write("board.toml", String(head) + rails)
    }

    func rail(_ name: String, channel: Int, averaging: Int = 1) -> String {
        "[power.\(name)]\nchip = \"ina3221\"\naddress = 0x41\nchannel = \(channel)\nrshunt_micro_ohms = 100000\nmax_current_amps = 1.0\naveraging = \(averaging)\nbus_conversion_microseconds = 140\nshunt_conversion_microseconds = 140\n\n"
    }

    @Test func threeRailsShareOneChip() throws {
        guard case let .hardware(c) = try BoardFile.load(path: try board(rail("a", channel: 1) + rail("b", channel: 2) + rail("c", channel: 3))) else {
            Issue.record("not a hardware board"); return
        }
        #expect(c.powerMonitors.map(\.channel).sorted() == [1, 2, 3])
    }

    @Test func twoRailsOnOneChannelAreRejected() throws {
        let path = try board(rail("a", channel: 2) + rail("b", channel: 2))
        #expect(throws: BoardFileError.self) { try BoardFile.load(path: path) }
    }

    @Test func differentSettingsOnOneChipAreRejected() throws {
        let path = try board(rail("a", channel: 1) + rail("b", channel: 2, averaging: 16))
        do {
            _ = try BoardFile.load(path: path)
            Issue.record("loaded")
        } catch {
            #expect(error.key == "power.b.averaging" && error.description.contains("one INA3221 has one averaging"))
        }
    }
}
