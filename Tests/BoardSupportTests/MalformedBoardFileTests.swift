import BoardSupport
import Foundation
import Testing

/// Every way a board file can be wrong is reported as a BoardFileError that
/// names the file, the key, the value found and what was expected.
@Suite("Malformed board files")
struct MalformedBoardFileTests {
    // MARK: Keys and values

    @Test("a misspelt key is an unknown key, reported with its value")
    func unknownKey() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived("adc.bitz = 6")
        let error = try loadFailure(path)
        #expect(error.kind == .unknownKey)
        #expect(error.file == path)
        #expect(error.key == "adc.bitz")
        #expect(error.value == "6")
        expectMentions(error, path, "adc.bitz", "6")
    }

    @Test("an integer outside its range is out of range, with the range expected")
    func outOfRange() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived("adc.bits = 20")
        let error = try loadFailure(path)
        #expect(error.kind == .outOfRange)
        #expect(error.file == path)
        #expect(error.key == "adc.bits")
        #expect(error.value == "20")
        #expect(error.expected.contains("4...12"), "\(error.expected)")
        expectMentions(error, path, "adc.bits", "20", "4...12")
    }

    @Test("a number outside its range is out of range", arguments: [
        ("programming.variability_relative = 1.5", "programming.variability_relative", "1.5", "0...1"),
        ("thermal.celsius = 200", "thermal.celsius", "200", "-55...150"),
        ("energy.supply_volts = 0", "energy.supply_volts", "0", "0.1...60"),
    ])
    func doubleOutOfRange(line: String, key: String, value: String, range: String) throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived(line)
        let error = try loadFailure(path)
        #expect(error.kind == .outOfRange)
        #expect(error.file == path)
        #expect(error.key == key)
        #expect(error.value == value)
        #expect(error.expected.contains(range), "\(error.expected)")
        expectMentions(error, path, key, value)
    }

    @Test("a string where an integer belongs is the wrong type")
    func wrongType() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived(#"adc.bits = "six""#)
        let error = try loadFailure(path)
        #expect(error.kind == .wrongType)
        #expect(error.file == path)
        #expect(error.key == "adc.bits")
        #expect(error.value == #""six""#)
        #expect(error.expected.contains("integer"), "\(error.expected)")
        expectMentions(error, path, "adc.bits", "six")
    }

    @Test("other type mismatches are the wrong type", arguments: [
        ("adc.enabled = 1", "adc.enabled"),
        ("geometry.rows = 256.5", "geometry.rows"),
        ("board.name = 7", "board.name"),
        ("thermal.celsius = \"warm\"", "thermal.celsius"),
    ])
    func otherWrongTypes(line: String, key: String) throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived(line)
        let error = try loadFailure(path)
        #expect(error.kind == .wrongType)
        #expect(error.file == path)
        #expect(error.key == key)
        expectMentions(error, path, key)
    }

    @Test("an unknown technology is rejected, listing the known ones")
    func unknownTechnology() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived(#"board.technology = "memristor""#)
        let error = try loadFailure(path)
        #expect(error.kind == .outOfRange)
        #expect(error.file == path)
        #expect(error.key == "board.technology")
        #expect(error.value?.contains("memristor") == true)
        for known in ["rram", "sram", "nor_flash", "pcm"] {
            #expect(error.expected.contains("\"\(known)\""), "\(error.expected)")
        }
        expectMentions(error, path, "board.technology", "memristor")
    }

    @Test("a key missing from a board without 'inherits' is reported as missing")
    func missingKey() throws {
        let sandbox = try BoardSandbox()
        let preset = try String(contentsOfFile: Presets.rram256, encoding: .utf8)
        let path = try sandbox.write("board.toml", removingKey("adc.bits", from: preset))
        let error = try loadFailure(path)
        #expect(error.kind == .missingKey)
        #expect(error.file == path)
        #expect(error.key == "adc.bits")
        #expect(error.value == nil)
        #expect(error.expected.contains("4...12"), "\(error.expected)")
        expectMentions(error, path, "adc.bits")
    }

    // MARK: Syntax and files

    @Test("invalid TOML is a syntax error that gives the line")
    func syntax() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.write("board.toml", "[board]\nname = = \"x\"\n")
        let error = try loadFailure(path)
        #expect(error.kind == .syntax)
        #expect(error.file == path)
        #expect(error.key == nil)
        #expect(error.expected.contains("line 2"), "\(error.expected)")
        expectMentions(error, path, "line 2")
    }

    /// Found by fuzzing: toml++ (inside TOMLKit) aborts the process on a table
    /// header that does not start with a key; the loader refuses it first.
    @Test("a table header that does not start with a key is a syntax error, not an abort",
          arguments: ["[#", "[ #]", "[[#]]", "[=", "[,", "[.]", "name = \"x\"\n\n  [?", "[\n", "[  \nx = 1",
                      // A combining mark joins the bracket or a space into one Character.
                      "[\u{073C}", "[ \u{0301}x]", "[[\u{0301}a]]",
                      // Quotes in a comment open no string; CRLF ends a line too.
                      "##\"\"\"tab\n#\n[\u{0B}#2 = 1001\n", "# it's\n[#]", "a = 1\r\n[\r\n"])
    func headerWithoutAKey(text: String) throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.write("board.toml", text)
        let error = try loadFailure(path)
        #expect(error.kind == .syntax)
        expectMentions(error, path, "a table header must start with a key", "line")
    }

    @Test("a header inside a multi-line string is string content, not a header")
    func headerInsideAMultilineString() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.write("board.toml", "note = \"\"\"\n[#] not a header\n\"\"\"\n")
        let error = try loadFailure(path)
        #expect(error.kind != .syntax, "\(error)")
    }

    /// Found by fuzzing the sweep spec: toml++ asserts in `parse_value` on these.
    @Test("a '}' where an array expects a value is a syntax error, not an abort",
          arguments: ["x = [}", "x = [1,}", "x = [\n}", "x = [1, # c\n}", "x = [[}]]", "x = [{a = 1},}"])
    func braceWhereAnArrayExpectsAValue(text: String) throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.write("board.toml", text)
        let error = try loadFailure(path)
        #expect(error.kind == .syntax)
        expectMentions(error, path, "an array value or ']' after '[' or ','", "found '}'", "line")
    }

    @Test("arrays of values, tables and comments are left to the parser",
          arguments: ["x = [ # c\n  1, # d\n]\n", "x = [{a = 1}, {b = 2}]\n", "x = [\"}\", '}']\n", "x = {a = [1, 2]}\n"])
    func wellFormedArrays(text: String) throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.write("board.toml", text)
        let error = try loadFailure(path)
        #expect(error.kind != .syntax, "\(error)")
    }

    @Test("a bracket that starts a line inside an array or a string is no header",
          arguments: ["x = [\n  [ # an inner array\n    1],\n]\n", "x = '''\n[#\n'''\n",
                      "x = \"\"\"\\\n[#\\\"\"\"\"\"\n", "x = \"#\"\n[name]\n"])
    func bracketsThatAreNoHeader(text: String) throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.write("board.toml", text)
        let error = try loadFailure(path)
        #expect(!error.description.contains("a table header must start with a key"), "\(error)")
    }

    @Test("a file that cannot be read is unreadable")
    func nonexistent() throws {
        let sandbox = try BoardSandbox()
        let path = sandbox.path("no-such-board.toml")
        let error = try loadFailure(path)
        #expect(error.kind == .unreadable)
        #expect(error.file == path)
        #expect(error.key == nil)
        expectMentions(error, path)
    }

    @Test("a directory or non-UTF-8 bytes are unreadable")
    func notText() throws {
        let sandbox = try BoardSandbox()
        #expect(try loadFailure(sandbox.directory.path).kind == .unreadable)
        let binary = sandbox.path("binary.toml")
        try Data([0x5B, 0x62, 0x5D, 0x0A, 0xFF, 0xFE, 0xC3]).write(to: URL(fileURLWithPath: binary))
        let error = try loadFailure(binary)
        #expect(error.kind == .unreadable)
        #expect(error.file == binary)
    }

    // MARK: Consistency between keys

    @Test("g_max not above g_min is inconsistent", arguments: [("1.0", "1"), ("0.5", "0.5")])
    func conductanceRange(gMax: String, reported: String) throws {
        let sandbox = try BoardSandbox()
        // The preset's g_min is 1.0 µS.
        let path = try sandbox.derived("conductance.g_max_micro_siemens = \(gMax)")
        let error = try loadFailure(path)
        #expect(error.kind == .inconsistent)
        #expect(error.file == path)
        #expect(error.key == "conductance.g_max_micro_siemens")
        #expect(error.value == reported)
        #expect(error.expected.contains("conductance.g_min_micro_siemens"), "\(error.expected)")
        expectMentions(error, path, "conductance.g_max_micro_siemens", reported)
    }

    @Test("more columns per ADC than columns is inconsistent")
    func columnsPerADC() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived("geometry.columns = 16\ngeometry.columns_per_adc = 32")
        let error = try loadFailure(path)
        #expect(error.kind == .inconsistent)
        #expect(error.file == path)
        #expect(error.key == "geometry.columns_per_adc")
        #expect(error.value == "32")
        #expect(error.expected.contains("16"), "\(error.expected)")
        expectMentions(error, path, "geometry.columns_per_adc", "32")
    }

    @Test("thermal steps need as many temperatures as times")
    func thermalStepLengths() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived("""
            thermal.profile = "steps"
            thermal.step_seconds = [0.0, 10.0, 20.0]
            thermal.step_celsius = [25.0, 40.0]
            """)
        let error = try loadFailure(path)
        #expect(error.kind == .inconsistent)
        #expect(error.file == path)
        #expect(error.key == "thermal.step_celsius")
        #expect(error.value?.contains("2") == true, "\(String(describing: error.value))")
        #expect(error.expected.contains("thermal.step_seconds") && error.expected.contains("3"), "\(error.expected)")
        expectMentions(error, path, "thermal.step_celsius")
    }

    @Test("thermal step times must increase")
    func thermalStepOrder() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived("""
            thermal.profile = "steps"
            thermal.step_seconds = [0.0, 20.0, 10.0]
            thermal.step_celsius = [25.0, 40.0, 30.0]
            """)
        let error = try loadFailure(path)
        #expect(error.kind == .inconsistent)
        #expect(error.file == path)
        #expect(error.key == "thermal.step_seconds")
    }

    @Test("stuck-on plus stuck-off rates above 1 is inconsistent")
    func stuckAtRates() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived("stuck_at.on_rate = 0.6\nstuck_at.off_rate = 0.5")
        let error = try loadFailure(path)
        #expect(error.kind == .inconsistent)
        #expect(error.file == path)
        #expect(error.key == "stuck_at.off_rate")
        #expect(error.value == "0.5")
    }

    // MARK: Inheritance

    @Test("boards that inherit from each other form a cycle")
    func inheritanceCycle() throws {
        let sandbox = try BoardSandbox()
        let a = try sandbox.write("a.toml", "inherits = \"b.toml\"\n")
        let b = try sandbox.write("b.toml", "inherits = \"a.toml\"\n")
        let error = try loadFailure(a)
        #expect(error.kind == .inheritanceCycle)
        #expect(error.file == a)
        #expect(error.expected.contains(a) && error.expected.contains(b), "\(error.expected)")
        expectMentions(error, a, "cycle")
    }

    @Test("a board that inherits itself is a cycle")
    func selfInheritance() throws {
        let sandbox = try BoardSandbox()
        let a = try sandbox.write("a.toml", "inherits = \"a.toml\"\n[board]\nname = \"loop\"\n")
        #expect(try loadFailure(a).kind == .inheritanceCycle)
    }

    @Test("'inherits' must be a string")
    func inheritsWrongType() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.write("board.toml", "inherits = 3\n")
        let error = try loadFailure(path)
        #expect(error.kind == .wrongType)
        #expect(error.file == path)
        #expect(error.key == "inherits")
    }

    @Test("a missing base preset is unreadable, naming the base")
    func missingBase() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.write("board.toml", "inherits = \"sim-absent.toml\"\nadc.bits = 8\n")
        let error = try loadFailure(path)
        #expect(error.kind == .unreadable)
        #expect(error.file == sandbox.path("sim-absent.toml"))
    }

    @Test("a bad override is reported in the CHILD file, not the preset it overrides")
    func overrideErrorNamesChild() throws {
        let sandbox = try BoardSandbox()
        let base = try sandbox.copyPreset()
        let child = try sandbox.derived("dac.bits = 40")
        let error = try loadFailure(child)
        #expect(error.kind == .outOfRange)
        #expect(error.key == "dac.bits")
        #expect(error.file == child)
        #expect(error.file != base)
        expectMentions(error, child)
    }

    @Test("an inconsistency caused by an override is reported in the child")
    func inconsistencyNamesChild() throws {
        let sandbox = try BoardSandbox()
        let child = try sandbox.derived("geometry.columns_per_adc = 300")
        let error = try loadFailure(child)
        #expect(error.kind == .inconsistent)
        #expect(error.file == child)
    }

    @Test("an inconsistency caused by overriding the OTHER key of the pair is reported in the child")
    func inconsistencyViaOtherKeyNamesChild() throws {
        let sandbox = try BoardSandbox()
        let base = try sandbox.copyPreset()
        // columns_per_adc (8) stays in the preset; the child's columns = 4 breaks it.
        let child = try sandbox.derived("geometry.columns = 4")
        let error = try loadFailure(child)
        #expect(error.kind == .inconsistent)
        #expect(error.key == "geometry.columns_per_adc")
        #expect(error.file == child, "reported \(error.file), the preset at \(base)")
    }

    @Test("an unknown key that lives in the base is reported in the BASE file")
    func unknownKeyInBaseNamesBase() throws {
        let sandbox = try BoardSandbox()
        // Appended after the preset's last section, [thermal].
        let base = try sandbox.copyPreset(as: "base.toml", appending: "\nbogus = 1\n")
        let child = try sandbox.derived("adc.bits = 8", from: "base.toml")
        let error = try loadFailure(child)
        #expect(error.kind == .unknownKey)
        #expect(error.key == "thermal.bogus")
        #expect(error.file == base)
        expectMentions(error, base, "thermal.bogus")
    }

    @Test("an error in a base's own value is reported in the base")
    func badValueInBaseNamesBase() throws {
        let sandbox = try BoardSandbox()
        let preset = try String(contentsOfFile: Presets.rram256, encoding: .utf8)
        let base = try sandbox.write("base.toml", preset.replacingOccurrences(of: "on_rate = 0.001", with: "on_rate = 2.0"))
        let child = try sandbox.derived("adc.bits = 8", from: "base.toml")
        let error = try loadFailure(child)
        #expect(error.kind == .outOfRange)
        #expect(error.key == "stuck_at.on_rate")
        #expect(error.file == base)
    }
}

/// `text` without the line that sets `dotted` (e.g. "adc.bits" inside [adc]).
func removingKey(_ dotted: String, from text: String) -> String {
    var section = ""
    var removed = 0
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { raw in
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.hasPrefix("[") {
            section = String(line.dropFirst().prefix { $0 != "]" })
            return true
        }
        guard let eq = line.firstIndex(of: "="), !line.hasPrefix("#") else { return true }
        let key = line[..<eq].trimmingCharacters(in: .whitespaces)
        if (section.isEmpty ? key : section + "." + key) == dotted {
            removed += 1
            return false
        }
        return true
    }
    precondition(removed == 1, "\(dotted) is set \(removed) times")
    return lines.joined(separator: "\n")
}
