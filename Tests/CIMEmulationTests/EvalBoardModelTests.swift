import CIMHAL
import CIMSimulator
import Testing
@testable import CIMEmulation

/// The eval board model at the register level, byte for byte as
/// boards/cim-eval-protocol.md describes it, without the driver.
@Suite struct EvalBoardModelTests {
    let clock = VirtualClock()
    let chip: VirtualGPIOChip
    let bus = EmulatedI2CBus()
    let address = try! I2CAddress(0x2C)
    let model: EvalBoardModel

    init() throws {
        chip = VirtualGPIOChip(clock: clock)
        chip.addLine("RESET", level: .high)
        chip.addLine("READY", level: .low)
        model = try EvalBoardModel(accelerator: SimulatedAccelerator(configuration: .ideal(rows: 8, columns: 4, tiles: 2)),
                                   address: address, chip: chip, clock: clock, boardID: 0x0102, maxBatch: 3)
        bus.attach(model, at: address)
    }

    // The bus is a class; its protocol's helpers are mutating, hence the copies.
    private func read(_ register: UInt8, _ count: Int) throws -> [UInt8] {
        var b = bus
        return try b.writeRead([register], readCount: count, at: address)
    }

    private func send(_ bytes: [UInt8]) throws {
        var b = bus
        try b.write(bytes, to: address)
    }

    private func status() throws -> (flags: UInt8, code: UInt8, sequence: UInt16) {
        let s = try read(0x01, 4)
        return (s[0], s[1], UInt16(s[2]) << 8 | UInt16(s[3]))
    }

    @Test func identityAndGeometryAreBigEndianAsDocumented() throws {
        #expect(try read(0x00, 8) == [0x43, 0x49, 0x4D, 0x45, 1, 4, 0x01, 0x02], "protocol 1.4")
        // tiles 2, rows 8, columns 4, DAC 8, ADC 8, weight 8 bits, reserved, 1 column per ADC, max batch 3
        #expect(try read(0x04, 14) == [0, 2, 0, 8, 0, 4, 8, 8, 8, 0, 0, 1, 0, 3])
        #expect(try read(0x00, 2) == [0x43, 0x49], "a shorter read is a prefix")
        #expect(try read(0x06, 4) == [0, 0, 0, 0], "a longer read pads with zeros")
        #expect(model.chip.level(of: "READY") == .high)
    }

    /// 1.4: CAPABILITIES says whether the board has a sequencer; one without
    /// refuses program-and-run's registers and commands as UNSUPPORTED.
    @Test func aBoardWithoutASequencerSaysSoAndRefusesProgramAndRun() throws {
        // No sequencer, format 0, 16384 feature values, 1 MiB of program memory.
        #expect(try read(0x0A, 8) == [0, 0, 0x40, 0x00, 0x00, 0x10, 0x00, 0x00])
        try send([0x40, 0, 0, 0, 8])
        #expect(try status().code == 0x08, "PROGRAM_LENGTH: unsupported")
        #expect(model.errorText.contains("no sequencer"))
        try send([0x02, 0])
        try send([0x08, 0x06])
        #expect(try status().code == 0x08, "RUN: unsupported")
    }

    /// 1.1: CONFIG.PEC makes every read end in the SMBus PEC of the whole
    /// transaction and every write carry one; a write whose PEC is wrong is
    /// NACKed and dropped; RESET turns PEC off again.
    @Test func withPECOnReadsCarryItAndBadWritesAreRefused() throws {
        try send([0x09, 0x01])
        let raw = try read(0x06, 3)
        #expect(raw.count == 3 && Array(raw[..<2]) == [0, 0])
        #expect(raw[2] == SMBusPEC.crc([0x58, 0x06, 0x59, 0, 0]), "PEC over addr+W, register, addr+R, data")
        let select: [UInt8] = [0x06, 0x00, 0x01]
        #expect(throws: HALError.noAcknowledge(.data, address: 0x2C)) { try send(select + [SMBusPEC.write(select, to: address) ^ 0x01]) }
        #expect(model.pecRejectedWrites == 1)
        #expect(try read(0x06, 3).prefix(2) == [0, 0], "the refused write changed nothing")
        try send(select + [SMBusPEC.write(select, to: address)])
        #expect(try read(0x06, 3).prefix(2) == [0, 1])
        try chip.drive("RESET", to: .low)
        try chip.drive("RESET", to: .high)
        #expect(try read(0x09, 1) == [0], "PEC is off after RESET")
    }

    /// READY falls as an operation starts and rises when it ends, stamped
    /// with the virtual time it took; the sequence counts it.
    @Test func aCommandPulsesREADYForAsLongAsTheOperationTakes() throws {
        var readyLine = try chip.input("READY")
        while try readyLine.waitForEdge(timeoutSeconds: 0) != nil {}
        try send([0x10, 0, 2, 0, 2])                 // WEIGHT_SHAPE 2x2
        try send([0x11, 0, 0, 0, 1] + [0x3F, 0, 0, 0, 0xBF, 0, 0, 0, 0x3E, 0x80, 0, 0])  // (0, 1): 0.5, -0.5, 0.25
        try send([0x08, 0x01])                       // PROGRAM
        let falling = try #require(try readyLine.waitForEdge(timeoutSeconds: 0))
        let rising = try #require(try readyLine.waitForEdge(timeoutSeconds: 0))
        #expect(falling.edge == .falling && rising.edge == .rising)
        #expect(rising.timestampNanoseconds > falling.timestampNanoseconds)
        let s = try status()
        #expect(s.flags == 0b010 && s.code == 0 && s.sequence == 1)
        #expect(model.commandLog == [0x01])
        try send([0x18, 0, 0, 0, 4])                                  // REPORT_CURSOR 4
        #expect(try read(0x19, 4) == [0, 0, 0, 64], "8 rows x 4 columns x 2 cells")
    }

    /// 1.3: legs joined by repeated STARTs are taken in order, each as its
    /// own access: uploads and COMMAND in one transaction, STATUS and the
    /// result window in another, the same bytes as one access at a time.
    @Test func aCombinedTransactionsLegsAreTakenInOrder() throws {
        var b = bus
        let upload: [I2COperation] = [.write([0x10, 0, 2, 0, 2]), .write([0x11, 0, 0, 0, 1] + [0x3F, 0, 0, 0, 0xBF, 0, 0, 0, 0x3E, 0x80, 0, 0]),
                                      .write([0x08, 0x01])]
        #expect(try b.transaction(upload, at: address).isEmpty)
        #expect(model.commandLog == [0x01])
        let reads = try b.transaction([.write([0x01]), .read(count: 4), .write([0x18, 0, 0, 0, 4]), .write([0x19]), .read(count: 4)], at: address)
        #expect(reads == [[0b010, 0, 0, 1], [0, 0, 0, 64]], "STATUS: ready, sequence 1; then 8 rows x 4 columns x 2 cells")
    }

    /// A rejected write latches an error, and while it is latched no command
    /// runs, so a rejected upload can never be programmed.
    @Test func aLatchedErrorRefusesCommandsUntilCleared() throws {
        try send([0x06, 0])                           // TILE_SELECT with 1 byte of 2
        var s = try status()
        #expect(s.flags & 0b100 != 0 && s.code == 0x03)
        let text = try read(0x03, 32)
        #expect(String(decoding: text.prefix { $0 != 0 }, as: UTF8.self).contains("2 bytes"))

        try send([0x08, 0x02])                        // MULTIPLY, refused
        s = try status()
        #expect(s.code == 0x03 && s.sequence == 1, "completed at once with the latched code")
        #expect(model.outputs.bytes.isEmpty, "the macro did not run")

        try send([0x02, 0])                           // clear
        try send([0x08, 0x02])
        s = try status()
        #expect(s.flags == 0b010 && s.code == 0 && s.sequence == 2)
        #expect(model.outputs.bytes.count == 4 * 4)
    }

    @Test func eachBadRequestLatchesItsCode() throws {
        let cases: [([UInt8], UInt8)] = [
            ([0x7F, 1], 0x01),                  // no such register
            ([0x00, 1], 0x02),                  // IDENTITY is read-only
            ([0x06, 0, 2], 0x04),               // tile 2 of 2
            ([0x07, 0, 4], 0x04),               // batch 4 > 3
            ([0x08, 0x77], 0x06),               // unknown opcode
            ([0x10, 0, 2, 0, 2], 0x00),         // a good shape, then a NaN weight:
        ]
        for (bytes, code) in cases {
            try send(bytes)
            // A second fault (an unknown opcode) must not overwrite the first: the first explains.
            if code != 0x00 { try send([0x08, 0x77]) }
            #expect(try status().code == code, "\(bytes)")
            try send([0x02, 0])
        }
        try send([0x11, 0, 0, 0, 0, 0x7F, 0xC0, 0, 0])
        #expect(try status().code == 0x07)
    }

    @Test func softResetRestoresRegistersAndKeepsCounting() throws {
        try send([0x06, 0, 1])
        try send([0x07, 0, 3])
        try send([0x08, 0x04])
        #expect(try read(0x06, 2) == [0, 0])
        #expect(try read(0x07, 2) == [0, 1])
        #expect(try status().sequence == 1)
        #expect(model.resetCount == 1)
    }

    /// RESET low: the board stops answering and READY falls; RESET high:
    /// power-on state, sequence from 0, READY high.
    @Test func theRESETLineHoldsAndRestartsTheBoard() throws {
        try send([0x08, 0x02])
        #expect(try status().sequence == 1)
        var resetLine = try chip.output("RESET")
        try resetLine.set(.low)
        #expect(chip.level(of: "READY") == .low)
        #expect(throws: HALError.noAcknowledge(.address, address: 0x2C)) { _ = try read(0x01, 4) }
        try resetLine.set(.high)
        #expect(chip.level(of: "READY") == .high)
        #expect(try status().sequence == 0)
        #expect(model.resetCount == 1)
    }

    @Test func aHungBoardStaysBusyAndRefusesMoreWork() throws {
        model.hangsOnCommand = true
        try send([0x08, 0x02])
        #expect(chip.level(of: "READY") == .low)
        var s = try status()
        #expect(s.flags & 0b001 != 0 && s.sequence == 0)
        try send([0x08, 0x02])
        s = try status()
        #expect(s.code == 0x05, "BUSY latched")
        #expect(model.commandLog == [0x02], "the second command did not start")
    }
}
