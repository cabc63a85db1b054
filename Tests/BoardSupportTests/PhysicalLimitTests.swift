import BoardSupport
import Foundation
import Testing

/// Values each in range can still make a board the simulator cannot model
/// honestly; the board file says so instead of simulating nonsense.
@Suite("Board files beyond the models' limits")
struct PhysicalLimitTests {
    @Test("an IR drop past the first-order model's validity is refused, naming the user's file")
    func irDropTooLarge() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived("ir_drop.wire_ohms_per_segment = 5.0")
        let error = try loadFailure(path)
        #expect(error.kind == .inconsistent)
        #expect(error.key == "ir_drop.wire_ohms_per_segment")
        #expect(error.file == path)
        expectMentions(error, path, "ir_drop.wire_ohms_per_segment", "5", "first-order")
    }

    @Test("a bigger array at the same wire resistance can cross the limit too")
    func irDropTooLargeThroughGeometry() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived("ir_drop.wire_ohms_per_segment = 0.1\ngeometry.rows = 1024\ngeometry.columns = 1024")
        let error = try loadFailure(path)
        #expect(error.kind == .inconsistent && error.key == "ir_drop.wire_ohms_per_segment")
        #expect(error.file == path)
    }

    @Test("a column gain spread that would draw negative gains is out of range")
    func gainSpreadTooWide() throws {
        let sandbox = try BoardSandbox()
        let error = try loadFailure(try sandbox.derived("adc_mismatch.gain_std_relative = 0.3"))
        #expect(error.kind == .outOfRange && error.expected.contains("0...0.2"))
    }

    @Test("a tile too big to hold in memory is refused")
    func tileTooBig() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived("geometry.rows = 4096\ngeometry.columns = 4096\nir_drop.enabled = false")
        let error = try loadFailure(path)
        #expect(error.kind == .inconsistent && error.key == "geometry.columns")
        expectMentions(error, path, "4194304")
    }

    @Test("another thermal profile's key in the user's own file is an unknown key")
    func strayThermalKey() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived("thermal.ramp_end_celsius = 60.0")
        let error = try loadFailure(path)
        #expect(error.kind == .unknownKey && error.key == "thermal.ramp_end_celsius")
    }

    @Test("switching profile from the preset's leaves the preset's keys harmless")
    func switchingProfile() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.derived("""
            [thermal]
            profile = "steps"
            step_seconds = [0.0, 60.0]
            step_celsius = [25.0, 60.0]
            """)
        let c = try BoardFile.loadSimulated(path: path)
        #expect(c.thermal.celsius(atSeconds: 100) == 60)
    }
}
