import BoardSupport
import CIMSimulator
import Foundation
import Testing

/// A board that `inherits` a preset is the preset with its own keys on top:
/// nothing else may change.
@Suite("Board file inheritance")
struct InheritanceTests {
    @Test("overriding one key changes that field and nothing else")
    func oneOverride() throws {
        let sandbox = try BoardSandbox()
        let preset = try BoardFile.loadSimulated(path: Presets.rram256)
        var derived = try BoardFile.loadSimulated(path: sandbox.derived("adc.bits = 8"))
        #expect(preset.adc.bits == 6)
        #expect(derived.adc.bits == 8)
        #expect(derived != preset)
        derived.adc.bits = preset.adc.bits
        #expect(derived == preset)
    }

    @Test("a board that only inherits is the preset")
    func emptyOverride() throws {
        let sandbox = try BoardSandbox()
        let preset = try BoardFile.loadSimulated(path: Presets.rram256)
        #expect(try BoardFile.loadSimulated(path: sandbox.derived("")) == preset)
    }

    @Test("overrides may switch the thermal profile, and keys of the old profile are not unknown")
    func switchThermalProfile() throws {
        let sandbox = try BoardSandbox()
        let preset = try BoardFile.loadSimulated(path: Presets.rram256)
        var derived = try BoardFile.loadSimulated(path: sandbox.derived("""
            thermal.profile = "steps"
            thermal.step_seconds = [0.0, 60.0]
            thermal.step_celsius = [25.0, 70.0]
            """))
        #expect(derived.thermal == .steps([.init(atSeconds: 0, celsius: 25), .init(atSeconds: 60, celsius: 70)]))
        derived.thermal = preset.thermal
        #expect(derived == preset)
    }

    @Test("in a chain the nearest file wins and every level contributes")
    func chain() throws {
        let sandbox = try BoardSandbox()
        let preset = try BoardFile.loadSimulated(path: Presets.rram256)
        _ = try sandbox.derived("adc.bits = 8\ndac.bits = 4", name: "middle.toml")
        let leaf = try sandbox.derived("dac.bits = 6\nboard.name = \"leaf\"", name: "leaf.toml", from: "middle.toml")
        var c = try BoardFile.loadSimulated(path: leaf)
        #expect(c.adc.bits == 8)
        #expect(c.dac.bits == 6)
        #expect(c.name == "leaf")
        c.adc.bits = preset.adc.bits
        c.dac.bits = preset.dac.bits
        c.name = preset.name
        #expect(c == preset)
    }

    @Test("'inherits' is resolved relative to the inheriting file, not the working directory")
    func relativeToFile() throws {
        let sandbox = try BoardSandbox()
        try sandbox.copyPreset()
        let nested = try sandbox.write("variants/low-adc.toml", "inherits = \"../sim-rram-256.toml\"\nadc.bits = 4\n")
        #expect(try BoardFile.loadSimulated(path: nested).adc.bits == 4)
    }

    @Test("an absolute 'inherits' path names that file")
    func absoluteInherits() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.write("board.toml", "inherits = \"\(Presets.rram256)\"\nadc.bits = 8\n")
        let configuration = try BoardFile.loadSimulated(path: path)
        #expect(configuration.adc.bits == 8)
    }

    @Test("a board next to the presets can inherit one by file name")
    func inheritsRepositoryPreset() throws {
        // Writing into boards/ would touch the repository; a relative path
        // from the sandbox reaches the real preset instead.
        let sandbox = try BoardSandbox()
        let relative = relativePath(from: sandbox.directory, to: URL(fileURLWithPath: Presets.rram256))
        let path = try sandbox.write("board.toml", "inherits = \"\(relative)\"\nadc.bits = 8\n")
        var c = try BoardFile.loadSimulated(path: path)
        #expect(c.adc.bits == 8)
        c.adc.bits = 6
        #expect(c == (try BoardFile.loadSimulated(path: Presets.rram256)))
    }
}

/// "../../x/y" from directory `from` to file `to` (both absolute).
func relativePath(from: URL, to: URL) -> String {
    let a = from.standardizedFileURL.pathComponents, b = to.standardizedFileURL.pathComponents
    let common = zip(a, b).prefix { $0 == $1 }.count
    return (Array(repeating: "..", count: a.count - common) + b[common...]).joined(separator: "/")
}
