import CIMHAL

/// How the eval board driver moves bytes: which transfers it repeats after a
/// fault, how it runs a command, and how it waits for READY.
extension EvalBoard {
    /// Runs `body`, repeating it after a transient bus fault, up to
    /// `attempts` times in all. Only for transfers the protocol lists as
    /// idempotent: doing them twice leaves the board as doing them once.
    func idempotent<T>(_ body: () throws(HALError) -> T) throws(HALError) -> T {
        var attempt = 1
        while true {
            do throws(HALError) {
                return try body()
            } catch {
                guard attempt < attempts, Self.isTransient(error) else {  throw error }
                attempt += 1
                link.transfersRetried += 1
            }
        }
    }

    /// Faults of the bus rather than of the request: a repeat may succeed.
    /// A PEC mismatch (EBADMSG) is one: the bytes were damaged on the wire.
    static func isTransient(_ error: HALError) -> Bool {
        switch error {
        case .noAcknowledge, .timeout, .arbitrationLost: true
        case let .io(errno, _): errno == SMBusPEC.mismatchErrno
        case .busy, .invalidArgument, .unsupported: false
        }
    }

    // What one transfer carries, on this bus: the protocol's 32-byte blocks,
    // less the command and PEC bytes an SMBus-only adapter counts within its
    // own 32 (a register byte, 4 position bytes, then values).
    // With CONFIG.LONG (1.2) the blocks are 4096 bytes.
    var blockBytes: Int { long ? EvalBoardWire.longBytes : EvalBoardWire.blockBytes }
    var readBlockBytes: Int { min(blockBytes, bus.transfers.maximumRead - (pec ? 1 : 0)) }
    var weightsPerWrite: Int { min((blockBytes - 4) / 4, (bus.transfers.maximumWrite - 5 - (pec ? 1 : 0)) / 4) }
    var codesPerWrite: Int { min((blockBytes - 4) / 2, (bus.transfers.maximumWrite - 5 - (pec ? 1 : 0)) / 2) }
    var featuresPerWrite: Int { weightsPerWrite }
    var programBytesPerWrite: Int { min(blockBytes - 4, bus.transfers.maximumWrite - 5 - (pec ? 1 : 0)) }

    /// A write as it goes on the wire: with its PEC byte once PEC is on.
    func framed(_ bytes: [UInt8]) -> [UInt8] {
        guard pec else { return bytes }
        var out = bytes
        out.append(SMBusPEC.write(bytes, to: address))
        return out
    }

    /// One register read; with PEC on, the board's PEC byte is checked and
    /// a mismatch is an EBADMSG error (retried like any transient fault).
    func checkedRead(_ register: UInt8, count: Int) throws(HALError) -> [UInt8] {
        try verified(bus.writeRead([register], readCount: count + (pec ? 1 : 0), at: address), register: register, count: count)
    }

    /// The data of a register read, its PEC checked when PEC is on.
    func verified(_ raw: [UInt8], register: UInt8, count: Int) throws(HALError) -> [UInt8] {
        guard pec else { return raw }
        guard raw.count == count + 1 else {
            throw .io(errno: EvalBoardErrorCode.eio, operation: "read of register 0x\(String(register, radix: 16)) from eval board \(address): asked for \(count + 1) bytes, got \(raw.count)")
        }
        let data = raw[..<count]
        let expected = SMBusPEC.read(register: register, data: data, from: address)
        guard raw[count] == expected else {
            link.pecMismatches += 1
            throw .io(errno: SMBusPEC.mismatchErrno,
                      operation: "read of register 0x\(String(register, radix: 16)) from eval board \(address): PEC 0x\(String(raw[count], radix: 16)), expected 0x\(String(expected, radix: 16))")
        }
        return Array(data)
    }

    func readRegister(_ register: EvalBoardRegister, count: Int) throws(HALError) -> [UInt8] {
        try idempotent { () throws(HALError) -> [UInt8] in
            try checkedRead(register.rawValue, count: count)
        }
    }

    /// A write of an absolute value or of self-addressed data: idempotent.
    func writeRegister(_ payload: BigEndianWriter) throws(HALError) {
        try idempotent { () throws(HALError) in try bus.write(framed(payload.bytes), to: address) }
    }

    /// Reads `count` bytes of a result window in blocks of at most 32. The
    /// board advances its cursor with each read, so the cursor is written
    /// once, and again after any fault (a failed read may or may not have
    /// moved it): the retried unit is always (cursor write, data read).
    func readWindow(cursor: (Int) -> BigEndianWriter, data: EvalBoardRegister, count: Int,
                    what: String) throws(HALError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var positioned = false
        while out.count < count {
            let offset = out.count
            let n = min(readBlockBytes, count - offset)
            let block = try idempotent { () throws(HALError) -> [UInt8] in
                do throws(HALError) {
                    if !positioned {
                        try bus.write(framed(cursor(offset).bytes), to: address)
                        positioned = true
                    }
                    return try checkedRead(data.rawValue, count: n)
                } catch {
                    positioned = false
                    throw error
                }
            }
            guard block.count == n else {
                throw .io(errno: EvalBoardErrorCode.eio, operation: "\(what): asked for \(n) bytes, got \(block.count)")
            }
            out += block
        }
        return out
    }

    // MARK: Commands

    /// Runs one operation's transfers. A failure anywhere leaves what the
    /// board holds uncertain, so the next operation re-reads STATUS (and
    /// clears a stale error) before it uploads anything.
    func flow<T>(_ body: () throws(HALError) -> T) throws(HALError) -> T {
        do throws(HALError) {
            if sequence == nil { try resynchronize() }
            return try body()
        } catch {
            sequence = nil
            selectedTile = nil
            selectedBatch = nil
            throw error
        }
    }

    /// Learns the board's operation counter; clears an error left by an
    /// earlier, already reported failure. A running operation means someone
    /// else is using the board, or it hung: reset it.
    func resynchronize() throws(HALError) {
        let s = try status()
        guard s.flags & EvalBoardWire.statusBusy == 0 else {
            throw .busy("eval board at \(address) is still running an earlier operation; reset it")
        }
        if s.flags & EvalBoardWire.statusError != 0 {
            var clear = BigEndianWriter(register: EvalBoardRegister.errorCode.rawValue)
            clear.u8(0)
            try writeRegister(clear)
        }
        sequence = s.sequence
    }

    func status() throws(HALError) -> (flags: UInt8, code: UInt8, sequence: UInt16) {
        var r = BigEndianReader(try readRegister(.status, count: EvalBoardWire.statusBytes), what: "status of eval board \(address)")
        return (try r.u8(), try r.u8(), try r.u16())
    }

    /// Starts `command` exactly once, waits for READY and checks the outcome.
    ///
    /// A COMMAND write that fails may or may not have reached the board, and
    /// running an operation twice would wear cells, draw new noise and move
    /// time. So a failed write is followed by a STATUS read: an operation
    /// running or a sequence one past `before` means the board took the
    /// command (wait for it as usual); an unchanged sequence means it did not
    /// (write it again). Only a bus fault is resolved this way.
    ///
    /// With combined transactions (1.3), `staged` writes go in the COMMAND's
    /// transaction, ahead of it: they are idempotent, and the board takes a
    /// transaction's legs in order, so "COMMAND taken" implies they were, and
    /// "not taken" re-sends them all. `result`, when it fits one read, comes
    /// back in the STATUS read's transaction; nil means the caller reads it.
    @discardableResult
    func run(_ command: EvalBoardCommand, _ operation: String, timeout: Double,
             staged: StagedWrites = StagedWrites(), result: ResultWindow? = nil) throws(HALError) -> [UInt8]? {
        guard let before = sequence else {
            throw .io(errno: EvalBoardErrorCode.eio, operation: "\(operation): the board's operation counter is unknown")
        }
        try discardReadyEdges()
        sequence = nil
        var attempt = 1
        while true {
            do throws(HALError) {
                _ = try bus.transaction(staged.legs + [.write(framed([EvalBoardRegister.command.rawValue, command.rawValue]))], at: address)
                break
            } catch {
                guard attempt < attempts, Self.isTransient(error) else { throw error }
                attempt += 1
                let s = try status()
                if s.flags & EvalBoardWire.statusBusy != 0 || s.sequence == before &+ 1 {
                    link.commandsTakenDespiteFault += 1
                    break
                }
                link.commandsResent += 1
                guard s.sequence == before else {
                    throw .io(errno: EvalBoardErrorCode.eio,
                              operation: "\(operation): eval board \(address) completed operation \(s.sequence) after a failed COMMAND write, expected \(before) or \(before &+ 1)")
                }
            }
        }
        try waitForReady(operation, timeout: timeout)
        var data: [UInt8]?
        let s: (flags: UInt8, code: UInt8, sequence: UInt16)
        if let result, combined, result.count <= readBlockBytes {
            (s, data) = try idempotent { () throws(HALError) in try statusAndWindow(result) }
        } else {
            s = try status()
        }
        guard s.flags & EvalBoardWire.statusBusy == 0 else {
            throw .io(errno: EvalBoardErrorCode.eio, operation: "\(operation): READY rose but eval board \(address) still reports BUSY")
        }
        if s.flags & EvalBoardWire.statusError != 0 {
            throw boardError(code: s.code, operation: operation)
        }
        guard s.sequence == before &+ 1 else {
            throw .io(errno: EvalBoardErrorCode.eio,
                      operation: "\(operation): eval board \(address) completed operation \(s.sequence), expected \(before &+ 1): a command was lost or ran twice")
        }
        sequence = s.sequence
        return data
    }

    /// STATUS, then the result window from its start, in one transaction:
    /// `S addr+W STATUS Sr addr+R status… Sr addr+W CURSOR… Sr addr+W DATA Sr addr+R data… P`.
    /// Repeatable as a whole: a read and the (cursor write, data read) pair.
    private func statusAndWindow(_ window: ResultWindow) throws(HALError) -> ((flags: UInt8, code: UInt8, sequence: UInt16), [UInt8]) {
        let extra = pec ? 1 : 0
        let reads = try bus.transaction([.write([EvalBoardRegister.status.rawValue]), .read(count: EvalBoardWire.statusBytes + extra),
                                         .write(framed(window.cursor.bytes)),
                                         .write([window.data.rawValue]), .read(count: window.count + extra)], at: address)
        guard reads.count == 2 else {
            throw .io(errno: EvalBoardErrorCode.eio, operation: "status and result of eval board \(address): \(reads.count) reads came back, expected 2")
        }
        var r = BigEndianReader(try verified(reads[0], register: EvalBoardRegister.status.rawValue, count: EvalBoardWire.statusBytes),
                                what: "status of eval board \(address)")
        let status = (try r.u8(), try r.u8(), try r.u16())
        return (status, try verified(reads[1], register: window.data.rawValue, count: window.count))
    }

    /// A register write now, or, with combined transactions, a leg of the next COMMAND's transaction.
    func stage(_ payload: BigEndianWriter, in staged: inout StagedWrites) throws(HALError) {
        guard combined else { return try writeRegister(payload) }
        // Room for the COMMAND leg; past the limit, what is staged goes ahead on its own.
        if staged.legs.count + 2 > bus.transfers.maximumOperations {
            let legs = staged.legs
            try idempotent { () throws(HALError) in _ = try bus.transaction(legs, at: address) }
            staged.legs.removeAll(keepingCapacity: true)
        }
        staged.legs.append(.write(framed(payload.bytes)))
    }

    /// The HAL error for a latched board error, with the board's detail text.
    /// Reading the text and clearing the error are best effort: the error
    /// itself is what the caller must see, and a flow that fails resynchronizes.
    private func boardError(code: UInt8, operation: String) -> HALError {
        var detail = ""
        if let bytes = try? readRegister(.errorText, count: min(EvalBoardWire.blockBytes, readBlockBytes)) {
            detail = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        var clear = BigEndianWriter(register: EvalBoardRegister.errorCode.rawValue)
        clear.u8(0)
        _ = try? writeRegister(clear)
        return EvalBoardErrorCode.halError(code: code, detail: detail, operation: operation, address: address)
    }

    // MARK: READY

    /// Drops edges queued before a command, so the rising edge waited for is
    /// the command's own. Bounded: a line that chatters cannot hold us here.
    func discardReadyEdges() throws(HALError) {
        for _ in 0..<64 {
            guard try ready.waitForEdge(timeoutSeconds: 0) != nil else { return }
        }
    }

    /// Waits for READY to rise, at most `timeout` seconds of wall time in all.
    func waitForReady(_ operation: String, timeout: Double) throws(HALError) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(timeout))
        while true {
            let left = clock.now.duration(to: deadline).components
            let remaining = Double(left.seconds) + Double(left.attoseconds) * 1e-18
            guard remaining > 0, let edge = try ready.waitForEdge(timeoutSeconds: remaining) else {
                throw .timeout(operation: "\(operation) on eval board \(address) (waiting for READY)", limitSeconds: timeout)
            }
            if edge.edge == .rising { return }
        }
    }
}

/// Register writes waiting to go out in the next COMMAND's transaction (combined transactions, 1.3).
struct StagedWrites {
    var legs: [I2COperation] = []
}

/// An operation's result: read from its start through `cursor`, `count` bytes of `data`.
struct ResultWindow {
    var cursor: BigEndianWriter
    var data: EvalBoardRegister
    var count: Int
}
