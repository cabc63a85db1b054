import CIMHAL

/// Limits on waiting for READY after each kind of eval board command.
public struct EvalBoardTimeouts: Sendable, Hashable {
    public var programSeconds: Double
    public var multiplySeconds: Double
    public var calibrateSeconds: Double
    /// From RESET released to READY (boot).
    public var resetSeconds: Double

    public init(programSeconds: Double, multiplySeconds: Double, calibrateSeconds: Double, resetSeconds: Double) {
        self.programSeconds = programSeconds
        self.multiplySeconds = multiplySeconds
        self.calibrateSeconds = calibrateSeconds
        self.resetSeconds = resetSeconds
    }

    public static let standard = EvalBoardTimeouts(programSeconds: 10, multiplySeconds: 0.5, calibrateSeconds: 10, resetSeconds: 1)
}

/// The CIM evaluation board (boards/cim-eval-protocol.md) as a `CIMAccelerator`.
///
/// Generic over its bus and its two pins, and owning them, as an
/// embedded-hal driver is: the same code runs on `LinuxI2CBus` with libgpiod
/// lines and on `EmulatedI2CBus` with a `VirtualGPIOChip`.
///
/// Faults: transfers the protocol calls idempotent are retried (`attempts`
/// in all) after a NACK, a bus timeout, lost arbitration or a PEC mismatch.
/// A COMMAND write that fails is resolved through the board's operation
/// counter — taken (wait for it) or not (send it again) — so PROGRAM,
/// MULTIPLY or CALIBRATE never runs twice. With a 1.1 board every transfer
/// carries SMBus PEC both ways, so damaged data is a retry, never a wrong
/// number. Every wait for READY has an explicit limit.
///
/// The multiply here moves every code over I2C: it allocates (the bus API
/// returns arrays) and is bounded by the bus, not by the macro.
public final class EvalBoard<Bus: I2CBus, Reset: GPIOOutputLine, Ready: GPIOInputLine>: CIMAccelerator {
    public let address: I2CAddress
    public let timeouts: EvalBoardTimeouts
    /// Tries per idempotent transfer, the first included.
    public let attempts: Int
    public private(set) var geometry: CIMGeometry
    /// Vectors the board takes per MULTIPLY; larger batches are split.
    public private(set) var maxBatch = 1
    public private(set) var boardID: UInt16 = 0
    public private(set) var protocolVersion: (major: UInt8, minor: UInt8) = (0, 0)
    /// What the link's faults cost so far.
    public internal(set) var link = EvalBoardLinkCounts()
    /// Whether transfers carry SMBus PEC (negotiated with a 1.1 board).
    public internal(set) var pec = false
    /// Whether data registers move up to 4096 bytes per transaction
    /// (negotiated with a 1.2 board when `prefersLongTransfers` and the bus
    /// runs plain I2C): a multiply is then a handful of transfers, not ~55.
    public internal(set) var long = false
    /// Ask a 1.2 board for long transfers (board file `eval_board.long_transfers`).
    public let prefersLongTransfers: Bool
    /// Whether a multiply's register writes ride in the COMMAND's transaction
    /// and its STATUS and result in one read transaction, joined by repeated
    /// STARTs (negotiated with a 1.3 board when `prefersCombinedTransactions`
    /// and the bus runs plain I2C): two transactions per multiply instead of six.
    public internal(set) var combined = false
    /// Use combined transactions with a 1.3 board (board file `eval_board.combined_transactions`).
    public let prefersCombinedTransactions: Bool

    var bus: Bus
    var resetLine: Reset
    var ready: Ready
    /// The board's operation counter after our last command; nil when a
    /// failure left it uncertain, and the next operation re-reads it.
    var sequence: UInt16?
    /// Register values the board holds, so unchanged ones are not re-sent; nil when unknown.
    var selectedTile: Int?
    var selectedBatch: Int?
    /// The board's sequencer (1.4), when CAPABILITIES reports one.
    public internal(set) var sequencer: EvalBoardSequencer?
    /// The program last loaded, kept so it is loaded again after a reset
    /// (the sequencer's memory does not survive one), and whether the board holds it now.
    var program: [UInt8]?
    var programOnBoard = false

    /// Releases RESET, waits for the board if it is still booting, and
    /// checks that it is a CIM eval board speaking protocol 1.x.
    public init(bus: Bus, address: I2CAddress, reset: Reset, ready: Ready,
                timeouts: EvalBoardTimeouts = .standard, attempts: Int = 3, prefersLongTransfers: Bool = false,
                prefersCombinedTransactions: Bool = false) throws(HALError) {
        guard attempts >= 1 else { throw .invalidArgument("attempts \(attempts) must be at least 1") }
        for (name, seconds) in [("program", timeouts.programSeconds), ("multiply", timeouts.multiplySeconds),
                                ("calibrate", timeouts.calibrateSeconds), ("reset", timeouts.resetSeconds)]
            where !(seconds.isFinite && seconds > 0 && seconds <= 86_400) {
            throw .invalidArgument("the \(name) timeout \(seconds) s must be a positive number of seconds, at most a day")
        }
        self.bus = bus
        self.address = address
        self.resetLine = reset
        self.ready = ready
        self.timeouts = timeouts
        self.attempts = attempts
        self.prefersLongTransfers = prefersLongTransfers
        self.prefersCombinedTransactions = prefersCombinedTransactions
        geometry = CIMGeometry(tiles: 0, rows: 0, columns: 0, dacBits: 0, adcBits: 0, weightBits: 0, columnsPerADC: 0)
        try resetLine.set(.high)
        if try self.ready.level() == .low {
            try waitForReady("boot", timeout: timeouts.resetSeconds)
        }
        try identify()
        try resynchronize()
    }

    // MARK: Identity

    /// Reads IDENTITY and GEOMETRY; anything but a 1.x eval board is refused.
    /// A 1.1 board is switched to PEC first thing, so everything after the
    /// identity is checked on the wire.
    func identify() throws(HALError) {
        pec = false
        long = false
        combined = false
        var id = BigEndianReader(try agreeingIdentity(), what: "identity of eval board \(address)")
        let magic = try id.u32()
        let major = try id.u8(), minor = try id.u8()
        var board = try id.u16()
        guard magic == EvalBoardWire.magic else {
            throw .unsupported("device at \(address) is not a CIM eval board: magic 0x\(String(magic, radix: 16)), expected 0x43494d45 (\"CIME\")")
        }
        guard major == EvalBoardWire.versionMajor else {
            throw .unsupported("eval board at \(address) speaks protocol \(major).\(minor); this driver speaks \(EvalBoardWire.versionMajor).x")
        }
        let wantsLong = minor >= 2 && prefersLongTransfers && !bus.transfers.smbusOnly
            && bus.transfers.maximumWrite >= EvalBoardWire.longBytes + 2 && bus.transfers.maximumRead >= EvalBoardWire.longBytes + 1
        if minor >= 1 {
            do throws(HALError) {
                try configure(long: wantsLong)
            } catch {
                guard case .noAcknowledge = error else { throw error }
                // A host before this one (another process, no RESET since) left
                // PEC on, so the board NACKs a write without it: say CONFIG with PEC.
                pec = true
                try configure(long: wantsLong)
                link.pecFoundOn += 1
                // IDENTITY was read with PEC off: its last byte was the PEC. Again, checked.
                var again = BigEndianReader(try readRegister(.identity, count: EvalBoardWire.identityBytes), what: "identity of eval board \(address)")
                _ = try again.u32(); _ = try again.u8(); _ = try again.u8()
                board = try again.u16()
            }
        }
        var g = BigEndianReader(try readRegister(.geometry, count: EvalBoardWire.geometryBytes),
                                what: "geometry of eval board \(address)")
        let tiles = Int(try g.u16()), rows = Int(try g.u16()), columns = Int(try g.u16())
        let dacBits = Int(try g.u8()), adcBits = Int(try g.u8()), weightBits = Int(try g.u8())
        try g.skip(1)
        let columnsPerADC = Int(try g.u16()), batch = Int(try g.u16())
        let geometry = CIMGeometry(tiles: tiles, rows: rows, columns: columns, dacBits: dacBits, adcBits: adcBits,
                                   weightBits: weightBits, columnsPerADC: columnsPerADC)
        // Input codes travel as i16 and output codes as i32: wider converters cannot be spoken to.
        guard tiles >= 1, rows >= 1, columns >= 1, (2...16).contains(dacBits), (2...31).contains(adcBits),
              weightBits >= 1, columnsPerADC >= 1, batch >= 1 else {
            throw .unsupported("eval board at \(address) reports \(geometry) with max batch \(batch), which protocol 1.0 cannot carry")
        }
        self.geometry = geometry
        maxBatch = batch
        boardID = board
        protocolVersion = (major, minor)
        // Legs for TILE_SELECT, BATCH_COUNT, one input write and COMMAND at the least.
        combined = minor >= 3 && prefersCombinedTransactions && !bus.transfers.smbusOnly && bus.transfers.maximumOperations >= 5
        sequencer = minor >= 4 ? try readCapabilities() : nil
        programOnBoard = false
    }

    /// IDENTITY comes before PEC can be on: it is read until two reads in a
    /// row agree, so one flipped bit cannot pass for another board.
    private func agreeingIdentity() throws(HALError) -> [UInt8] {
        var last = try readRegister(.identity, count: EvalBoardWire.identityBytes)
        for _ in 0..<(2 * attempts) {
            let next = try readRegister(.identity, count: EvalBoardWire.identityBytes)
            if next == last { return next }
            link.identityDisagreements += 1
            last = next
        }
        throw .io(errno: EvalBoardErrorCode.eio, operation: "identity of eval board \(address): no two reads in a row agreed")
    }

    /// CONFIG.PEC on (and LONG, when asked), then read back with PEC: both
    /// sides now check every transfer.
    private func configure(long wantsLong: Bool) throws(HALError) {
        let bits = EvalBoardWire.configPEC | (wantsLong ? EvalBoardWire.configLong : 0)
        var w = BigEndianWriter(register: EvalBoardRegister.config.rawValue)
        w.u8(bits)
        try writeRegister(w)
        pec = true
        let config = try readRegister(.config, count: 1)
        guard config.first == bits else {
            throw .io(errno: EvalBoardErrorCode.eio, operation: "eval board \(address) did not take CONFIG 0x\(String(bits, radix: 16)): CONFIG reads \(config)")
        }
        long = wantsLong
    }

    // MARK: CIMAccelerator

    public func program(tile: Int, weights: WeightMatrix, policy: WriteVerifyPolicy) throws(HALError) -> ProgrammingReport {
        try checkTile(tile)
        guard weights.rows <= geometry.rows, weights.columns <= geometry.columns else {
            throw .invalidArgument("a \(weights.rows)x\(weights.columns) matrix does not fit a \(geometry.rows)x\(geometry.columns) tile")
        }
        guard policy.maxPulses >= 1, policy.maxPulses <= Int(UInt32.max), policy.toleranceRelative > 0 else {
            throw .invalidArgument("write-verify needs max pulses in 1...\(UInt32.max) and a positive tolerance, got \(policy.maxPulses) and \(policy.toleranceRelative)")
        }
        return try flow { () throws(HALError) -> ProgrammingReport in
            try select(tile: tile)
            var shape = BigEndianWriter(register: EvalBoardRegister.weightShape.rawValue)
            shape.u16(UInt16(weights.rows))
            shape.u16(UInt16(weights.columns))
            try writeRegister(shape)
            try uploadWeights(weights)
            var tolerance = BigEndianWriter(register: EvalBoardRegister.programTolerance.rawValue)
            tolerance.f64(policy.toleranceRelative)
            try writeRegister(tolerance)
            var pulses = BigEndianWriter(register: EvalBoardRegister.programMaxPulses.rawValue)
            pulses.u32(UInt32(policy.maxPulses))
            try writeRegister(pulses)
            try run(.program, "program tile \(tile)", timeout: timeouts.programSeconds)
            return try readReport(tile: tile)
        }
    }

    public func multiply(tile: Int, inputCodes: UnsafeBufferPointer<Int32>,
                         outputCodes: UnsafeMutableBufferPointer<Int32>) throws(HALError) {
        try multiplyBatch(tile: tile, batchSize: 1, inputCodes: inputCodes, outputCodes: outputCodes)
    }

    public func multiplyBatch(tile: Int, batchSize: Int, inputCodes: UnsafeBufferPointer<Int32>,
                              outputCodes: UnsafeMutableBufferPointer<Int32>) throws(HALError) {
        try geometry.validateMultiply(tile: tile, batchSize: batchSize, inputCount: inputCodes.count, outputCount: outputCodes.count)
        // Checked before any traffic, as the simulator does: a bad batch changes nothing on the board.
        let limit = geometry.inputCodeMax
        if let n = inputCodes.firstIndex(where: { $0 < -limit || $0 > limit }) {
            throw .invalidArgument("input code \(inputCodes[n]) at row \(n % geometry.rows) of vector \(n / geometry.rows) is outside ±\(limit) for a \(geometry.dacBits)-bit DAC")
        }
        let rows = geometry.rows, columns = geometry.columns
        try flow { () throws(HALError) in
            var done = 0
            while done < batchSize {
                let n = min(maxBatch, batchSize - done)
                try multiplyOnce(tile: tile, vectors: n,
                                 inputs: UnsafeBufferPointer(rebasing: inputCodes[(done * rows)..<((done + n) * rows)]),
                                 outputs: UnsafeMutableBufferPointer(rebasing: outputCodes[(done * columns)..<((done + n) * columns)]))
                done += n
            }
        }
    }

    public func calibrate(tile: Int, method: CalibrationMethod) throws(HALError) -> ColumnCalibration {
        try checkTile(tile)
        let methodCode: UInt8
        var count: UInt32?
        switch method {
        case let .referenceInputs(n):
            guard let n32 = UInt32(exactly: n) else { throw .invalidArgument("reference vector count \(n) must be within 0...\(UInt32.max)") }
            methodCode = 0
            count = n32
        case .referenceColumn:
            methodCode = 1
        }
        return try flow { () throws(HALError) -> ColumnCalibration in
            try select(tile: tile)
            var m = BigEndianWriter(register: EvalBoardRegister.calMethod.rawValue)
            m.u8(methodCode)
            try writeRegister(m)
            if let count {
                var c = BigEndianWriter(register: EvalBoardRegister.calCount.rawValue)
                c.u32(count)
                try writeRegister(c)
            }
            try run(.calibrate, "calibrate tile \(tile)", timeout: timeouts.calibrateSeconds)
            return try readCalibration(tile: tile, method: method, methodCode: methodCode)
        }
    }

    public func dieTemperatureCelsius() throws(HALError) -> Double {
        var r = BigEndianReader(try readRegister(.temperature, count: 8), what: "temperature of eval board \(address)")
        let celsius = try r.f64()
        guard celsius.isFinite else {
            throw .io(errno: EvalBoardErrorCode.eio, operation: "temperature of eval board \(address) read \(celsius)")
        }
        return celsius
    }

    /// Pulses RESET, waits for the board to boot, and checks that the same
    /// board came back.
    public func reset() throws(HALError) {
        sequence = nil
        selectedTile = nil
        selectedBatch = nil
        try discardReadyEdges()
        try resetLine.set(.low)
        // A GPIO write takes microseconds: longer than the 1 µs minimum pulse, so no delay is needed.
        try resetLine.set(.high)
        try waitForReady("reset", timeout: timeouts.resetSeconds)
        let before = geometry
        try identify()
        guard geometry == before else {
            throw .io(errno: EvalBoardErrorCode.eio, operation: "after reset the eval board at \(address) reports \(geometry), before it reported \(before)")
        }
        try resynchronize()
    }

    // MARK: Pieces of the operations

    private func checkTile(_ tile: Int) throws(HALError) {
        guard (0..<geometry.tiles).contains(tile) else { throw .invalidArgument("tile \(tile) is outside 0..<\(geometry.tiles)") }
    }

    private func select(tile: Int) throws(HALError) {
        guard selectedTile != tile else { return }
        try writeRegister(tileSelection(tile))
        selectedTile = tile
    }

    private func tileSelection(_ tile: Int) -> BigEndianWriter {
        var w = BigEndianWriter(register: EvalBoardRegister.tileSelect.rawValue)
        w.u16(UInt16(tile))
        return w
    }

    /// Seven weights per write, each write carrying its position. All-zero
    /// runs are skipped: WEIGHT_SHAPE zeroed the board's staging (+0.0 only;
    /// −0.0 is sent so the board sees the caller's exact bits).
    private func uploadWeights(_ weights: WeightMatrix) throws(HALError) {
        let values = weights.values
        var first = 0
        while first < values.count {
            let n = min(weightsPerWrite, values.count - first)
            let run = values[first..<(first + n)]
            if run.contains(where: { $0.bitPattern != 0 }) {
                var w = BigEndianWriter(register: EvalBoardRegister.weightData.rawValue)
                w.u16(UInt16(first / weights.columns))
                w.u16(UInt16(first % weights.columns))
                for v in run { w.f32(v) }
                try writeRegister(w)
            }
            first += n
        }
    }

    private func multiplyOnce(tile: Int, vectors: Int, inputs: UnsafeBufferPointer<Int32>,
                              outputs: UnsafeMutableBufferPointer<Int32>) throws(HALError) {
        let rows = geometry.rows, columns = geometry.columns
        // With combined transactions these writes ride in the COMMAND's transaction.
        var staged = StagedWrites()
        if selectedTile != tile { try stage(tileSelection(tile), in: &staged) }
        if selectedBatch != vectors {
            var b = BigEndianWriter(register: EvalBoardRegister.batchCount.rawValue)
            b.u16(UInt16(vectors))
            try stage(b, in: &staged)
        }
        for v in 0..<vectors {
            var row = 0
            while row < rows {
                let n = min(codesPerWrite, rows - row)
                var w = BigEndianWriter(register: EvalBoardRegister.inputData.rawValue, capacity: 4 + 2 * n)
                w.u16(UInt16(v))
                w.u16(UInt16(row))
                // Validated within ±inputCodeMax ≤ 32767 by the caller.
                for i in 0..<n { w.i16(Int16(truncatingIfNeeded: inputs[v * rows + row + i])) }
                try stage(w, in: &staged)
                row += n
            }
        }
        func cursor(_ offset: Int) -> BigEndianWriter {
            var w = BigEndianWriter(register: EvalBoardRegister.outputCursor.rawValue)
            w.u16(UInt16(offset / 4 / columns))
            w.u16(UInt16(offset / 4 % columns))
            return w
        }
        let window = ResultWindow(cursor: cursor(0), data: .outputData, count: 4 * vectors * columns)
        let result = try run(.multiply, "multiply on tile \(tile)", timeout: timeouts.multiplySeconds, staged: staged, result: window)
        selectedTile = tile
        selectedBatch = vectors
        let bytes: [UInt8]
        if let result { bytes = result } else {
            bytes = try readWindow(cursor: cursor, data: .outputData, count: window.count, what: "output codes of tile \(tile)")
        }
        var r = BigEndianReader(bytes, what: "output codes of tile \(tile)")
        try r.i32s(vectors * columns, into: outputs)
    }

    private func readReport(tile: Int) throws(HALError) -> ProgrammingReport {
        let what = "programming report of tile \(tile)"
        let columns = geometry.columns
        let bytes = try readWindow(cursor: { Self.byteCursor(.reportCursor, $0) }, data: .reportData,
                                   count: EvalBoardWire.reportHeaderBytes + 8 * columns, what: what)
        var r = BigEndianReader(bytes, what: what)
        let reportedTile = Int(try r.u16())
        try r.skip(2)
        let cells = Int(try r.u32())
        let pulses = try r.u64()
        let maxPulses = Int(try r.u32()), outside = Int(try r.u32())
        let stuckOn = Int(try r.u32()), stuckOff = Int(try r.u32()), wornOut = Int(try r.u32())
        let inputMax = try r.i32(), outputMax = try r.i32()
        let reportedColumns = Int(try r.u16())
        try r.skip(2)
        let rms = try r.f64(), seconds = try r.f64(), joules = try r.f64()
        var perCode: [Double] = []
        perCode.reserveCapacity(columns)
        for _ in 0..<columns { perCode.append(try r.f64()) }
        guard reportedTile == tile, reportedColumns == columns, let totalPulses = Int(exactly: pulses) else {
            throw .io(errno: EvalBoardErrorCode.eio,
                      operation: "\(what): the board reported tile \(reportedTile), \(reportedColumns) columns, \(pulses) pulses")
        }
        return ProgrammingReport(
            tile: tile, cellsProgrammed: cells, totalPulses: totalPulses, maxPulsesOnOneCell: maxPulses,
            cellsOutsideTolerance: outside, rmsErrorRelative: rms, stuckOnCells: stuckOn, stuckOffCells: stuckOff,
            wornOutCells: wornOut, durationSeconds: seconds, energyJoules: joules,
            readout: TileReadout(inputCodeMax: inputMax, outputCodeMax: outputMax, weightUnitsPerOutputCode: perCode))
    }

    private func readCalibration(tile: Int, method: CalibrationMethod, methodCode: UInt8) throws(HALError) -> ColumnCalibration {
        let what = "calibration of tile \(tile)"
        let columns = geometry.columns
        let bytes = try readWindow(cursor: { Self.byteCursor(.calCursor, $0) }, data: .calData,
                                   count: EvalBoardWire.calibrationHeaderBytes + 16 * columns, what: what)
        var r = BigEndianReader(bytes, what: what)
        let reportedTile = Int(try r.u16())
        let reportedMethod = try r.u8()
        try r.skip(5)  // reserved byte, reference count (the caller's own)
        let reportedColumns = Int(try r.u16())
        try r.skip(6)
        let seconds = try r.f64(), joules = try r.f64()
        var gain: [Double] = [], offset: [Double] = []
        gain.reserveCapacity(columns)
        offset.reserveCapacity(columns)
        for _ in 0..<columns { gain.append(try r.f64()) }
        for _ in 0..<columns { offset.append(try r.f64()) }
        guard reportedTile == tile, reportedMethod == methodCode, reportedColumns == columns else {
            throw .io(errno: EvalBoardErrorCode.eio,
                      operation: "\(what): the board reported tile \(reportedTile), method \(reportedMethod), \(reportedColumns) columns")
        }
        return ColumnCalibration(tile: tile, method: method, gain: gain, offsetCodes: offset,
                                 durationSeconds: seconds, energyJoules: joules)
    }

    private static func byteCursor(_ register: EvalBoardRegister, _ offset: Int) -> BigEndianWriter {
        var w = BigEndianWriter(register: register.rawValue)
        w.u32(UInt32(truncatingIfNeeded: offset))
        return w
    }
}
