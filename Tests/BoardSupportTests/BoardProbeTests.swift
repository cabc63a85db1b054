import BoardSupport
import CIMEmulation
import CIMHAL
import Testing

/// Registers of a device as fixed big-endian bytes behind a pointer.
final class FixedRegisters: I2CDeviceModel {
    let registers: [UInt8: [UInt8]]
    var pointer: UInt8 = 0
    init(_ registers: [UInt8: [UInt8]]) { self.registers = registers }
    func receive(_ bytes: [UInt8]) throws(HALError) { if let p = bytes.first { pointer = p } }
    func transmit(count: Int) throws(HALError) -> [UInt8] {
        let value = registers[pointer] ?? [0xFF, 0xFF]
        return (0..<count).map { $0 < value.count ? value[$0] : 0 }
    }
}

@Suite("cimfw probe")
struct BoardProbeTests {
    static var evalBoard: FixedRegisters { FixedRegisters([0x00: [0x43, 0x49, 0x4D, 0x45, 1, 0, 0, 7]]) }
    static var ina226: FixedRegisters { FixedRegisters([0x00: [0x41, 0x27], 0xFE: [0x54, 0x49], 0xFF: [0x22, 0x60]]) }
    static var ina260: FixedRegisters { FixedRegisters([0x00: [0x61, 0x27], 0xFE: [0x54, 0x49], 0xFF: [0x22, 0x70]]) }

    func virtualEval() throws -> HardwareBoardConfiguration {
        guard case let .hardware(c) = try BoardFile.load(path: Presets.directory.appendingPathComponent("virtual-eval.toml").path) else {
            throw BoardFileError(.inconsistent, file: "virtual-eval.toml", expected: "a hardware board")
        }
        return c
    }

    @Test func theBoardItsFileDescribesMatches() throws {
        var bus = EmulatedI2CBus()
        bus.attach(Self.evalBoard, at: try I2CAddress(0x2C))
        bus.attach(Self.ina226, at: try I2CAddress(0x40))
        let report = BoardProbe.run(&bus, against: try virtualEval())
        #expect(report.findings.map(\.address) == [0x2C, 0x40])
        #expect(report.matches, "\(report.checks)")
        #expect(report.unexpected.isEmpty)
        #expect(report.findings[0].identity == .evalBoard(versionMajor: 1, versionMinor: 0, boardID: 7))
    }

    /// Protocol 1.4: a board that runs programs says so in CAPABILITIES, and the probe shows it.
    @Test func aBoardWithASequencerIsShownWithItsProgramFormat() throws {
        var bus = EmulatedI2CBus()
        bus.attach(FixedRegisters([0x00: [0x43, 0x49, 0x4D, 0x45, 1, 4, 0, 7], 0x0A: [1, 1, 0x40, 0, 0, 0x10, 0, 0]]), at: try I2CAddress(0x2C))
        bus.attach(Self.ina226, at: try I2CAddress(0x40))
        let report = BoardProbe.run(&bus, against: try virtualEval())
        #expect(report.matches, "\(report.checks)")
        #expect(report.findings[0].identity == .evalBoard(versionMajor: 1, versionMinor: 4, boardID: 7, sequencerFormat: 1))
        #expect(report.findings[0].identity.description == "CIM eval board (protocol 1.4, board ID 7, sequencer for program format 1)")
        var plain = EmulatedI2CBus()
        plain.attach(FixedRegisters([0x00: [0x43, 0x49, 0x4D, 0x45, 1, 4, 0, 7], 0x0A: [0, 0, 0x40, 0, 0, 0x10, 0, 0]]), at: try I2CAddress(0x2C))
        #expect(BoardProbe.identify(&plain, at: 0x2C) == .evalBoard(versionMajor: 1, versionMinor: 4, boardID: 7))
    }

    @Test func aMissingOrWrongChipIsAMismatch() throws {
        var bus = EmulatedI2CBus()
        bus.attach(Self.ina260, at: try I2CAddress(0x40))
        bus.attach(Self.ina226, at: try I2CAddress(0x45))
        let report = BoardProbe.run(&bus, against: try virtualEval())
        #expect(!report.matches)
        #expect(report.checks.first { $0.address == 0x2C }?.found == nil, "no eval board answers")
        #expect(report.checks.first { $0.address == 0x40 }?.found == .ina260(revision: 0), "an INA260 where an INA226 should be")
        #expect(report.unexpected.map(\.address) == [0x45])
    }

    @Test func aBusyAddressStillShowsUpInTheScan() throws {
        final class Owned: I2CDeviceModel {
            func receive(_ bytes: [UInt8]) throws(HALError) { throw .busy("owned by ina2xx") }
            func transmit(count: Int) throws(HALError) -> [UInt8] { throw .busy("owned by ina2xx") }
        }
        var bus = EmulatedI2CBus()
        bus.attach(Owned(), at: try I2CAddress(0x40))
        let scan = BoardProbe.scan(&bus)
        #expect(scan.map(\.address) == [0x40])
        #expect(scan.first?.error == .busy("owned by ina2xx"))
        let report = BoardProbe.run(&bus, against: try virtualEval())
        #expect(report.findings.first?.identity == .unreadable(.busy("owned by ina2xx")), "the reason is shown, not hidden")
    }

    @Test func anINA219CanOnlyBeMatchedUnverified() throws {
        // Reserved bits as an INA219 has them: config bit 14, bus bit 2, CAL bit 0 all clear; no IDs.
        let ina219 = FixedRegisters([0x00: [0x39, 0x9F], 0x02: [0x2E, 0xE0], 0x05: [0x10, 0x00]])
        var bus = EmulatedI2CBus()
        bus.attach(ina219, at: try I2CAddress(0x40))
        #expect(BoardProbe.identify(&bus, at: 0x40) == .ina219Plausible)
        // A device whose CAL reads odd is not one.
        let other = FixedRegisters([0x00: [0x39, 0x9F], 0x02: [0x2E, 0xE0], 0x05: [0x10, 0x01]])
        var bus2 = EmulatedI2CBus()
        bus2.attach(other, at: try I2CAddress(0x40))
        #expect(BoardProbe.identify(&bus2, at: 0x40) != .ina219Plausible)
    }
}
