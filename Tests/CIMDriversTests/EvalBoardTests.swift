import CIMDrivers
import CIMEmulation
import CIMHAL
import CIMSimulator
import Testing

/// `EvalBoard` against `EvalBoardModel` on the emulated bus, end to end.
@Suite struct EvalBoardTests {
    // MARK: Same bits as the simulator

    /// program → multiply (single, batch) → calibrate → multiply through the
    /// register protocol equals the simulator called directly, bit for bit.
    /// A batch of 7 on a board that takes 4 also checks the split.
    @Test func theBoardGivesTheSimulatorsBitsEndToEnd() throws {
        let rig = try EvalRig(EvalFixture.noisy(), maxBatch: 4)
        try expectSameBits(rig)
        #expect(rig.bus.injected == 0)
        #expect(rig.model.commandLog == [0x01, 0x02, 0x02, 0x02, 0x03, 0x03, 0x02, 0x02])
    }

    /// The same, with every other weight write, input write, report read,
    /// output read and calibration read refused once: retries change no bit.
    @Test func retriedBlockTransfersChangeNoBit() throws {
        let rig = try EvalRig(EvalFixture.noisy(), maxBatch: 4)
        rig.bus.rules = [0x11, 0x20, 0x19, 0x29, 0x39].map {
            SelectiveFaultBus.Rule(register: $0, times: .max, everyOther: true)
        }
        try expectSameBits(rig)
        #expect(rig.bus.injected > 20)
        // program, multiply, 2 + 2 for batches of 7 on a board of 4, 2 calibrations: each once.
        #expect(rig.model.commandLog == [0x01, 0x02, 0x02, 0x02, 0x03, 0x03, 0x02, 0x02], "no command ran twice")
    }

    /// A second host (another process, no RESET between) finds PEC still
    /// on: its CONFIG write without PEC is refused, it says it with PEC, and
    /// gets the same bits and the board's true ID.
    @Test func aBoardLeftWithPECOnByAnEarlierHostIsTakenOver() throws {
        let rig = try EvalRig(EvalFixture.noisy(), maxBatch: 4, transactions: .long)
        #expect(rig.board.pec && rig.board.long)
        let second = try EvalBoard(bus: rig.bus, address: rig.board.address, reset: rig.chip.output("RESET"),
                                   ready: rig.chip.input("READY"), prefersLongTransfers: true)
        #expect(second.pec && second.long && second.link.pecFoundOn == 1)
        #expect(second.boardID == rig.board.boardID && second.geometry == rig.board.geometry)
        let x = EvalFixture.inputs(count: 1, rows: 40, codeMax: second.geometry.inputCodeMax)
        let w = try EvalFixture.weights(rows: 40, columns: 20)
        let policy = WriteVerifyPolicy(toleranceRelative: 0.02, maxPulses: 8)
        #expect(try second.program(tile: 1, weights: w, policy: policy) == (try rig.direct.program(tile: 1, weights: w, policy: policy)))
        var a = [Int32](repeating: 0, count: 24), b = a
        try second.multiply(tile: 1, inputCodes: x, into: &a)
        try rig.direct.multiply(tile: 1, inputCodes: x, into: &b)
        #expect(a == b)
    }

    // MARK: Transfer sizes (protocol 1.2)

    /// Long transfers, asked for on a plain-I2C bus, carry a multiply in a
    /// handful of transactions, and every bit is the simulator's.
    @Test func longTransfersCarryAMultiplyInAFewTransactionsWithTheSameBits() throws {
        let rig = try EvalRig(EvalFixture.noisy(), maxBatch: 4, transactions: .long)
        #expect(rig.board.long && rig.board.pec && !rig.board.combined)
        try expectSameBits(rig)
        let x = EvalFixture.inputs(count: 1, rows: 40, codeMax: rig.board.geometry.inputCodeMax)
        var out = [Int32](repeating: 0, count: 24)
        let before = rig.bus.transactions
        try rig.board.multiply(tile: 1, inputCodes: x, into: &out)
        #expect(rig.bus.transactions - before <= 6, "\(rig.bus.transactions - before) transactions for one multiply")
        #expect(rig.bus.longestRead > 33 && rig.bus.longestWrite > 34)
    }

    // MARK: Combined transactions (protocol 1.3)

    /// Asked for on a plain-I2C bus, a multiply is two transactions: its
    /// writes with COMMAND, then STATUS with the result; every bit is the
    /// simulator's, batches and programming included.
    @Test func combinedTransactionsCarryAMultiplyInTwoWithTheSameBits() throws {
        let rig = try EvalRig(EvalFixture.noisy(), maxBatch: 4, transactions: .longAndCombined)
        #expect(rig.board.combined && rig.board.long && rig.board.pec)
        try expectSameBits(rig)
        let x = EvalFixture.inputs(count: 1, rows: 40, codeMax: rig.board.geometry.inputCodeMax)
        var out = [Int32](repeating: 0, count: 24)
        for tile in [0, 1, 1] {
            let before = rig.bus.transactions
            try rig.board.multiply(tile: tile, inputCodes: x, into: &out)
            #expect(rig.bus.transactions - before == 2, "\(rig.bus.transactions - before) transactions for a multiply on tile \(tile)")
        }
    }

    /// Writes that would take more legs than one transaction carries go
    /// ahead on their own; the bits do not change.
    @Test func stagedWritesPastTheLegLimitGoAhead() throws {
        let rig = try EvalRig(EvalFixture.noisy(), maxBatch: 4, transactions: .combined)
        rig.bus.limits.maximumOperations = 5
        // Short transfers: 40 rows of codes are 3 writes; with 4 vectors, 12.
        #expect(rig.board.combined && !rig.board.long)
        try expectSameBits(rig)
    }

    /// On an SMBus-only adapter (no repeated STARTs between writes) combined
    /// transactions are not used, though asked for.
    @Test func anSMBusOnlyBusGetsNoCombinedTransactions() throws {
        let rig = try EvalRig(EvalFixture.noisy(), maxBatch: 4, limits: .smbus, transactions: .longAndCombined)
        #expect(!rig.board.combined && !rig.board.long)
        try expectSameBits(rig)
    }

    /// Without asking, a 1.2 board is spoken to in 32-byte blocks.
    @Test func shortTransfersAreTheDefault() throws {
        let rig = try EvalRig(EvalFixture.noisy(), maxBatch: 4)
        #expect(!rig.board.long)
        try expectSameBits(rig)
        #expect(rig.bus.longestRead <= 33 && rig.bus.longestWrite <= 34)
    }

    /// On an SMBus-only adapter long transfers are not negotiated, and every
    /// transfer fits SMBus's limits with the command and PEC bytes counted.
    @Test func onAnSMBusOnlyBusEveryTransferFitsSMBus() throws {
        let rig = try EvalRig(EvalFixture.noisy(), maxBatch: 4, limits: .smbus, transactions: .long)
        #expect(!rig.board.long && rig.board.pec)
        try expectSameBits(rig)
        #expect(rig.bus.longestRead <= 32 && rig.bus.longestWrite <= 33)
    }

    private func expectSameBits(_ rig: EvalRig) throws {
        let board = rig.board, direct = rig.direct
        #expect(board.geometry == direct.geometry)
        #expect(board.maxBatch == 4)
        let w = try EvalFixture.weights(rows: 40, columns: 20)
        let policy = WriteVerifyPolicy(toleranceRelative: 0.02, maxPulses: 8)
        let viaBoard = try board.program(tile: 1, weights: w, policy: policy)
        let viaSimulator = try direct.program(tile: 1, weights: w, policy: policy)
        #expect(viaBoard == viaSimulator)
        #expect(viaBoard.totalPulses > viaBoard.cellsProgrammed, "write-verify did pulse more than once")

        let codeMax = board.geometry.inputCodeMax
        var a = [Int32](repeating: 0, count: 24), b = a
        let x = EvalFixture.inputs(count: 1, rows: 40, codeMax: codeMax)
        try board.multiply(tile: 1, inputCodes: x, into: &a)
        try direct.multiply(tile: 1, inputCodes: x, into: &b)
        #expect(a == b)
        #expect(a.contains { $0 != 0 })

        let xs = EvalFixture.inputs(count: 7, rows: 40, codeMax: codeMax, salt: 1)
        var batchA = [Int32](repeating: 0, count: 7 * 24), batchB = batchA
        try board.multiplyBatch(tile: 1, batchSize: 7, inputCodes: xs, into: &batchA)
        try direct.multiplyBatch(tile: 1, batchSize: 7, inputCodes: xs, into: &batchB)
        #expect(batchA == batchB)

        let full = try board.calibrate(tile: 1, method: .referenceInputs(count: 16))
        #expect(full == (try direct.calibrate(tile: 1, method: .referenceInputs(count: 16))))
        let tracked = try board.calibrate(tile: 1, method: .referenceColumn)
        #expect(tracked == (try direct.calibrate(tile: 1, method: .referenceColumn)))

        try board.multiplyBatch(tile: 1, batchSize: 7, inputCodes: xs, into: &batchA)
        try direct.multiplyBatch(tile: 1, batchSize: 7, inputCodes: xs, into: &batchB)
        #expect(batchA == batchB)
        #expect(try board.dieTemperatureCelsius() == (try direct.dieTemperatureCelsius()))
        // The board's virtual clock ran for as long as the simulator's operations took.
        #expect(abs(rig.clock.nowSeconds - direct.nowSeconds) < 1e-6)
    }

    // MARK: Identity

    @Test func aDeviceThatIsNotAnEvalBoardIsRefused() throws {
        let error = try impostor(answering: [0x12, 0x34, 0x56, 0x78, 1, 0, 0, 1])
        guard case let .unsupported(message) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(message.contains("not a CIM eval board"))
        #expect(message.contains("0x12345678"))
    }

    @Test func anEvalBoardOfAnotherMajorVersionIsRefused() throws {
        let error = try impostor(answering: [0x43, 0x49, 0x4D, 0x45, 2, 0, 0, 1])
        guard case let .unsupported(message) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(message.contains("protocol 2.0"))
    }

    private func impostor(answering identity: [UInt8]) throws -> HALError? {
        let clock = VirtualClock()
        let chip = VirtualGPIOChip(clock: clock)
        chip.addLine("RESET", level: .high)
        chip.addLine("READY", level: .high)
        let bus = EmulatedI2CBus()
        let address = try I2CAddress(0x2C)
        bus.attach(FixedAnswerDevice(identity), at: address)
        return #expect(throws: HALError.self) {
            _ = try EvalBoard(bus: bus, address: address, reset: chip.output("RESET"), ready: chip.input("READY"))
        }
    }

    // MARK: Faults

    @Test func aNACKDuringAnIdempotentReadIsRetried() throws {
        let rig = try EvalRig(EvalFixture.noisy())
        let before = rig.emulated.transactionCount
        rig.emulated.faults = [.nackOnTransaction(before + 1)]
        #expect(try rig.board.dieTemperatureCelsius() == 25)
        #expect(rig.emulated.transactionCount == before + 2, "one refused read, one good one")
    }

    @Test func retriesAreBounded() throws {
        let rig = try EvalRig(EvalFixture.noisy())
        let before = rig.emulated.transactionCount
        rig.emulated.faults = [.nackRate(1)]
        #expect(throws: HALError.noAcknowledge(.address, address: 0x2C)) { try rig.board.dieTemperatureCelsius() }
        #expect(rig.emulated.transactionCount == before + 3)
    }

    /// A COMMAND write refused before it reached the board is sent again:
    /// STATUS shows the sequence unmoved, so the board runs it exactly once
    /// and the result is the simulator's first multiply.
    @Test(arguments: Transactions.allCases) func aCommandThatNeverReachedTheBoardIsSentAgainAndRunsOnce(_ transactions: Transactions) throws {
        let rig = try EvalRig(EvalFixture.noisy(), transactions: transactions)
        let w = try EvalFixture.weights(rows: 40, columns: 24)
        _ = try rig.board.program(tile: 0, weights: w, policy: .singleShot)
        _ = try rig.direct.program(tile: 0, weights: w, policy: .singleShot)
        let x = EvalFixture.inputs(count: 1, rows: 40, codeMax: 127)
        rig.bus.rules = [.init(register: 0x08, times: 1)]
        let commands = rig.model.commandLog.count
        var out = [Int32](repeating: 99, count: 24), expected = [Int32](repeating: 0, count: 24)
        try rig.board.multiply(tile: 0, inputCodes: x, into: &out)
        try rig.direct.multiply(tile: 0, inputCodes: x, into: &expected)
        #expect(rig.model.commandLog.count == commands + 1, "run once")
        #expect(out == expected)
        #expect(rig.board.link.commandsResent == 1 && rig.board.link.commandsTakenDespiteFault == 0)
    }

    /// The board ran the command but its ACK was lost: STATUS shows the
    /// sequence one on, so the driver waits for it instead of sending it
    /// again — MULTIPLY ran once and its result is read as usual.
    @Test(arguments: Transactions.allCases) func aCommandWhoseAcknowledgeWasLostIsNotSentAgain(_ transactions: Transactions) throws {
        let rig = try EvalRig(EvalFixture.noisy(), transactions: transactions)
        let w = try EvalFixture.weights(rows: 40, columns: 24)
        _ = try rig.board.program(tile: 0, weights: w, policy: .singleShot)
        _ = try rig.direct.program(tile: 0, weights: w, policy: .singleShot)
        let x = EvalFixture.inputs(count: 1, rows: 40, codeMax: 127)
        rig.bus.rules = [.init(register: 0x08, times: 1, reachesDevice: true)]
        let commands = rig.model.commandLog.count
        var out = [Int32](repeating: 0, count: 24), expected = out
        try rig.board.multiply(tile: 0, inputCodes: x, into: &out)
        try rig.direct.multiply(tile: 0, inputCodes: x, into: &expected)
        #expect(rig.model.commandLog.count == commands + 1, "run once")
        #expect(out == expected)
        #expect(rig.board.link.commandsTakenDespiteFault == 1 && rig.board.link.commandsResent == 0)
    }

    /// A COMMAND write that fails on every attempt is an error after the
    /// driver's attempts, and the board never ran it.
    @Test(arguments: Transactions.allCases) func aCommandThatNeverGetsThroughFailsAfterItsAttempts(_ transactions: Transactions) throws {
        let rig = try EvalRig(EvalFixture.noisy(), transactions: transactions)
        _ = try rig.board.program(tile: 0, weights: try EvalFixture.weights(rows: 40, columns: 24), policy: .singleShot)
        rig.bus.rules = [.init(register: 0x08, times: Int.max)]
        let commands = rig.model.commandLog.count
        var out = [Int32](repeating: 99, count: 24)
        #expect(throws: HALError.noAcknowledge(.data, address: 0x2C)) {
            try rig.board.multiply(tile: 0, inputCodes: EvalFixture.inputs(count: 1, rows: 40, codeMax: 127), into: &out)
        }
        #expect(rig.model.commandLog.count == commands)
        #expect(out.allSatisfy { $0 == 99 })
        #expect(rig.board.link.commandsResent == rig.board.attempts - 1)
    }

    /// With protocol 1.1 every read carries a PEC byte: a bit flipped on the
    /// wire is caught and read again, so a multiply under heavy corruption
    /// still gives the simulator's exact codes.
    @Test(arguments: Transactions.allCases) func corruptedReadsAreCaughtByPECAndNeverReturned(_ transactions: Transactions) throws {
        let rig = try EvalRig(EvalFixture.noisy(), transactions: transactions)
        #expect(rig.board.pec, "a 1.1 board is switched to PEC")
        let w = try EvalFixture.weights(rows: 40, columns: 24)
        _ = try rig.board.program(tile: 0, weights: w, policy: .singleShot)
        _ = try rig.direct.program(tile: 0, weights: w, policy: .singleShot)
        rig.emulated.faults = [.corruptReadRate(0.05)]
        // Long transfers read a multiply in one or two transactions: more multiplies for as many damaged reads.
        for k in 0..<(transactions.long ? 100 : 20) {
            let x = EvalFixture.inputs(count: 1, rows: 40, codeMax: 127, salt: k + 1)
            var out = [Int32](repeating: 0, count: 24), expected = out
            try rig.board.multiply(tile: 0, inputCodes: x, into: &out)
            try rig.direct.multiply(tile: 0, inputCodes: x, into: &expected)
            #expect(out == expected, "multiply \(k)")
        }
        let corrupted = rig.emulated.injected.corruptedReads[0x2C, default: 0]
        #expect(corrupted > 0)
        #expect(rig.board.link.pecMismatches == corrupted, "every damaged read caught")
    }

    /// A command that reached the board twice (the driver wrote it once) is
    /// caught by the operation counter: an error, not a result from the
    /// wrong operation.
    @Test(arguments: Transactions.allCases) func aCommandThatRanTwiceIsAnError(_ transactions: Transactions) throws {
        let rig = try EvalRig(EvalFixture.noisy(), transactions: transactions)
        let w = try EvalFixture.weights(rows: 40, columns: 24)
        _ = try rig.board.program(tile: 0, weights: w, policy: .singleShot)
        rig.bus.rules = [.init(register: 0x08, times: 1, duplicates: true)]
        var out = [Int32](repeating: 0, count: 24)
        let error = #expect(throws: HALError.self) {
            try rig.board.multiply(tile: 0, inputCodes: EvalFixture.inputs(count: 1, rows: 40, codeMax: 127), into: &out)
        }
        guard case let .io(_, operation)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(operation.contains("lost or ran twice"))
        // Back in step on the next operation.
        try rig.board.multiply(tile: 0, inputCodes: EvalFixture.inputs(count: 1, rows: 40, codeMax: 127), into: &out)
    }

    /// A board held in reset when the driver starts is released and waited for.
    @Test func theDriverReleasesRESETAndWaitsForBoot() throws {
        let rig = try EvalRig(EvalFixture.noisy(), resetHeldLow: true)
        #expect(rig.chip.level(of: "RESET") == .high)
        #expect(rig.model.resetCount == 1)
        #expect(rig.board.geometry == rig.direct.geometry)
        #expect(rig.board.boardID == 0x0001 && rig.board.protocolVersion == (1, 4))
    }

    @Test func aBoardThatNeverRaisesREADYTimesOutAndRESETRecoversIt() throws {
        let limits = EvalBoardTimeouts(programSeconds: 0.05, multiplySeconds: 0.01, calibrateSeconds: 0.05, resetSeconds: 0.05)
        let rig = try EvalRig(EvalFixture.noisy(), timeouts: limits)
        let w = try EvalFixture.weights(rows: 8, columns: 8)
        rig.model.hangsOnCommand = true
        let error = #expect(throws: HALError.self) { _ = try rig.board.program(tile: 0, weights: w, policy: .singleShot) }
        guard case let .timeout(operation, limit)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(operation.contains("program tile 0"))
        #expect(operation.contains("READY"))
        #expect(limit == 0.05)
        // Still hung: the next operation says so instead of queueing behind it.
        #expect(throws: HALError.self) { _ = try rig.board.calibrate(tile: 0, method: .referenceInputs(count: 4)) }

        rig.model.hangsOnCommand = false
        try rig.board.reset()
        #expect(rig.model.resetCount == 1)
        let report = try rig.board.program(tile: 0, weights: w, policy: .singleShot)
        #expect(report == (try rig.direct.program(tile: 0, weights: w, policy: .singleShot)))
    }

    /// RESET clears calibration trims (and the board's registers); weights
    /// survive on a non-volatile macro, as on the simulator's reset.
    @Test func theRESETLineResetsTheBoard() throws {
        let rig = try EvalRig(EvalFixture.noisy())
        let w = try EvalFixture.weights(rows: 40, columns: 24)
        _ = try rig.board.program(tile: 0, weights: w, policy: .singleShot)
        _ = try rig.direct.program(tile: 0, weights: w, policy: .singleShot)
        _ = try rig.board.calibrate(tile: 0, method: .referenceInputs(count: 8))
        _ = try rig.direct.calibrate(tile: 0, method: .referenceInputs(count: 8))

        try rig.board.reset()
        try rig.direct.reset()
        #expect(rig.model.resetCount == 1)
        #expect(rig.chip.level(of: "RESET") == .high)
        #expect(rig.chip.level(of: "READY") == .high)
        // Trims are gone on both: reference-column tracking needs a full calibration again.
        #expect(throws: HALError.self) { _ = try rig.board.calibrate(tile: 0, method: .referenceColumn) }

        let x = EvalFixture.inputs(count: 3, rows: 40, codeMax: 127)
        var out = [Int32](repeating: 0, count: 72), expected = out
        try rig.board.multiplyBatch(tile: 0, batchSize: 3, inputCodes: x, into: &out)
        try rig.direct.multiplyBatch(tile: 0, batchSize: 3, inputCodes: x, into: &expected)
        #expect(out == expected)
    }

    // MARK: Device errors

    @Test func deviceErrorsArriveAsTypedErrorsWithTheBoardsDetail() throws {
        let rig = try EvalRig(EvalFixture.noisy())
        _ = try rig.board.program(tile: 0, weights: try EvalFixture.weights(rows: 4, columns: 4), policy: .singleShot)
        let error = #expect(throws: HALError.self) { _ = try rig.board.calibrate(tile: 0, method: .referenceColumn) }
        guard case let .invalidArgument(message)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(message.contains("calibrate tile 0"))
        #expect(message.contains("code 7"))
        #expect(message.contains("reference-column"))
        // The error was read and cleared: the board goes on working.
        _ = try rig.board.calibrate(tile: 0, method: .referenceInputs(count: 8))

        var c = EvalFixture.noisy()
        c.calibration = CalibrationSettings(referenceVectors: 8, referenceColumn: false, referenceColumnReads: 1)
        let plain = try EvalRig(c)
        _ = try plain.board.program(tile: 0, weights: try EvalFixture.weights(rows: 4, columns: 4), policy: .singleShot)
        let unsupported = #expect(throws: HALError.self) { _ = try plain.board.calibrate(tile: 0, method: .referenceColumn) }
        guard case .unsupported? = unsupported else { Issue.record("got \(String(describing: unsupported))"); return }
    }

    @Test func badArgumentsAreRefusedBeforeAnyTraffic() throws {
        let rig = try EvalRig(EvalFixture.noisy())
        let before = rig.emulated.transactionCount
        var out = [Int32](repeating: 0, count: 24)
        let x = [Int32](repeating: 200, count: 40)
        #expect(throws: HALError.self) { try rig.board.multiply(tile: 0, inputCodes: x, into: &out) }
        #expect(throws: HALError.self) { try rig.board.multiply(tile: 2, inputCodes: [Int32](repeating: 0, count: 40), into: &out) }
        #expect(throws: HALError.self) {
            _ = try rig.board.program(tile: 0, weights: try EvalFixture.weights(rows: 41, columns: 4), policy: .singleShot)
        }
        #expect(rig.emulated.transactionCount == before)
    }
}

/// A device that answers every read with the same bytes (an impostor at the board's address).
final class FixedAnswerDevice: I2CDeviceModel {
    let answer: [UInt8]
    init(_ answer: [UInt8]) { self.answer = answer }
    func receive(_ bytes: [UInt8]) throws(HALError) {}
    func transmit(count: Int) throws(HALError) -> [UInt8] { (0..<count).map { $0 < answer.count ? answer[$0] : 0 } }
}
