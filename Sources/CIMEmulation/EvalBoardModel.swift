import CIMHAL
import CIMSimulator

/// The CIM evaluation board at the register level (boards/cim-eval-protocol.md),
/// in front of a `SimulatedAccelerator`, with its RESET and READY lines on a
/// `VirtualGPIOChip`.
///
/// An operation runs to completion inside the transaction that writes
/// COMMAND, and the virtual clock advances by its simulated duration, so
/// READY's falling and rising edges are queued with the timestamps a real
/// board would give them. `hangsOnCommand` injects the one fault a bus
/// cannot: a board that accepts a command and never finishes it.
public final class EvalBoardModel: I2CDeviceModel {
    public let accelerator: SimulatedAccelerator
    public let address: I2CAddress
    public let boardID: UInt16
    /// Vectors one MULTIPLY can take: the size of the board's input and output buffers.
    public let maxBatch: Int
    /// Fault injection: commands start (BUSY set, READY low) and never end, until RESET.
    public var hangsOnCommand = false
    /// Opcodes accepted so far, in order: what the board actually ran.
    public internal(set) var commandLog: [UInt8] = []
    /// Completed resets, by the RESET line or SOFT_RESET.
    public internal(set) var resetCount = 0
    /// Soak checks: keep every MULTIPLY's output codes until `takeServedOutputs`.
    public var recordsOutputs = false
    var servedOutputs: [Int32] = []
    /// Writes refused (NACKed) because their PEC byte did not match.
    public internal(set) var pecRejectedWrites = 0
    /// The board's sequencer (1.4 program-and-run), when it has one: the
    /// firmware that runs a loaded program on `accelerator`.
    public var sequencer: (any SequencerFirmware)?

    let chip: VirtualGPIOChip
    let clock: VirtualClock
    let readyLine: String

    var inReset = false
    var busy = false
    var error = EvalBoardError.none
    var errorText = ""
    var sequence: UInt16 = 0
    var pointer: UInt8 = 0
    /// CONFIG.PEC: every write ends in a PEC byte, every read is followed by one.
    var pec = false
    /// CONFIG.LONG (1.2): data registers take and give up to 4096 bytes per transaction.
    var long = false
    var tile = 0
    var batchCount = 1
    var weightRows = 0
    var weightColumns = 0
    var weights: [Float]
    var weightCursor = 0
    var tolerance = Double.infinity
    var maxPulses: UInt32 = 1
    var inputs: [Int32]
    var calibrationMethod: UInt8 = 0
    var calibrationCount: UInt32 = 32
    var report = ReadWindow()
    var outputs = ReadWindow()
    /// MULTIPLY's output codes, kept between commands so a multiply allocates nothing.
    var outputCodes: [Int32] = []
    var calibration = ReadWindow()
    /// Program-and-run (1.4): the staged program, the features of the next RUN and its outputs.
    var programBytes: [UInt8] = []
    var runFrames = 1
    var features: [Float] = []
    var results = ReadWindow()

    /// Wires the board to `chip`: it watches `resetLine` and drives `readyLine`
    /// (both must exist on the chip). The board starts out of reset and idle
    /// unless RESET is already low.
    public init(accelerator: SimulatedAccelerator, address: I2CAddress, chip: VirtualGPIOChip, clock: VirtualClock,
                resetLine: String = "RESET", readyLine: String = "READY", boardID: UInt16 = 0x0001,
                maxBatch: Int = 16) throws(HALError) {
        let g = accelerator.geometry
        guard (1...Int(UInt16.max)).contains(maxBatch) else { throw .invalidArgument("max batch \(maxBatch) must be within 1...65535") }
        guard g.tiles <= Int(UInt16.max), g.rows <= Int(UInt16.max), g.columns <= Int(UInt16.max), g.dacBits <= 16 else {
            throw .invalidArgument("geometry \(g) does not fit protocol 1.0 (16-bit sizes, DAC of at most 16 bits)")
        }
        guard let resetLevel = chip.level(of: resetLine) else { throw .invalidArgument("\(chip.label) has no line named \(resetLine)") }
        guard chip.level(of: readyLine) != nil else { throw .invalidArgument("\(chip.label) has no line named \(readyLine)") }
        self.accelerator = accelerator
        self.address = address
        self.boardID = boardID
        self.maxBatch = maxBatch
        self.chip = chip
        self.clock = clock
        self.readyLine = readyLine
        weights = [Float](repeating: 0, count: g.rows * g.columns)
        inputs = [Int32](repeating: 0, count: maxBatch * g.rows)
        calibrationCount = UInt32(clamping: accelerator.configuration.calibration.referenceVectors)
        inReset = resetLevel == .low
        try chip.drive(readyLine, to: inReset ? .low : .high)
        // Weak: the chip outlives no one here, but a model dropped by a test should not be kept alive by its wire.
        chip.observe(resetLine) { [weak self] level in self?.resetLine(level) }
    }

    /// The output codes of every MULTIPLY since the last call, in order.
    public func takeServedOutputs() -> [Int32] {
        defer { servedOutputs.removeAll(keepingCapacity: true) }
        return servedOutputs
    }

    // MARK: I2CDeviceModel

    public func receive(_ bytes: [UInt8]) throws(HALError) {
        guard !inReset else { throw .noAcknowledge(.address, address: address.rawValue) }
        guard let register = bytes.first else { return }
        pointer = register
        guard bytes.count > 1 else { return }  // a pointer write before a read: its PEC comes after the data
        guard pec else { return write(register, bytes[1...]) }
        // SMBus: a target NACKs a PEC byte that does not match, and drops the write.
        guard bytes.count > 2,
              bytes[bytes.count - 1] == SMBusPEC.write(bytes.dropLast(), to: address) else {
            pecRejectedWrites += 1
            throw .noAcknowledge(.data, address: address.rawValue)
        }
        write(register, bytes[1..<(bytes.count - 1)])
    }

    public func transmit(count: Int) throws(HALError) -> [UInt8] {
        guard !inReset else { throw .noAcknowledge(.address, address: address.rawValue) }
        guard pec else { return data(count: count) }
        guard count > 0 else { return [] }
        var d = data(count: count - 1)
        d.append(SMBusPEC.read(register: pointer, data: d[...], from: address))
        return d
    }

    private func data(count: Int) -> [UInt8] {
        guard count <= (long ? EvalWire.longBytes : EvalWire.blockBytes) else {
            latch(.badLength, "read of \(count) bytes > \(long ? EvalWire.longBytes : EvalWire.blockBytes)")
            return [UInt8](repeating: 0, count: count)
        }
        guard let register = EvalRegister(rawValue: pointer) else {
            latch(.unknownRegister, "no register \(pointer)")
            return [UInt8](repeating: 0, count: count)
        }
        switch register {
        case .reportData: return report.read(count)
        case .outputData: return outputs.read(count)
        case .calData: return calibration.read(count)
        case .resultData: return results.read(count)
        default:
            guard let value = fixedValue(register) else {
                latch(.unknownRegister, "register \(pointer) is write-only")
                return [UInt8](repeating: 0, count: count)
            }
            // A prefix of the value, or the value and zeros.
            return (0..<count).map { $0 < value.count ? value[$0] : 0 }
        }
    }

    // MARK: Registers

    private func fixedValue(_ register: EvalRegister) -> [UInt8]? {
        let g = accelerator.geometry
        var v: [UInt8] = []
        switch register {
        case .identity:
            v.appendBE(EvalWire.magic); v.appendBE(EvalWire.versionMajor); v.appendBE(EvalWire.versionMinor); v.appendBE(boardID)
        case .status:
            var flags: UInt8 = 0
            if busy { flags |= EvalWire.statusBusy } else { flags |= EvalWire.statusReady }
            if error != .none { flags |= EvalWire.statusError }
            v.appendBE(flags); v.appendBE(error.rawValue); v.appendBE(sequence)
        case .errorCode:
            v.appendBE(error.rawValue)
        case .errorText:
            v = Array(errorText.utf8)
            v += [UInt8](repeating: 0, count: EvalWire.blockBytes - v.count)
        case .geometry:
            v.appendBE(UInt16(g.tiles)); v.appendBE(UInt16(g.rows)); v.appendBE(UInt16(g.columns))
            v.appendBE(UInt8(clamping: g.dacBits)); v.appendBE(UInt8(clamping: g.adcBits)); v.appendBE(UInt8(clamping: g.weightBits))
            v.appendBE(UInt8(0)); v.appendBE(UInt16(clamping: g.columnsPerADC)); v.appendBE(UInt16(maxBatch))
        case .temperature:
            // The simulator's die temperature cannot fail; a real sensor read could, hence the INTERNAL fallback.
            do throws(HALError) { v.appendBE(try accelerator.dieTemperatureCelsius()) } catch {
                latch(.internal, "temperature: \(error)")
                v.appendBE(Double.nan)
            }
        case .config: v.appendBE((pec ? EvalWire.configPEC : 0) | (long ? EvalWire.configLong : 0))
        case .capabilities:
            v.appendBE(sequencer == nil ? UInt8(0) : EvalWire.capabilitySequencer)
            v.appendBE(sequencer?.programFormat ?? 0)
            v.appendBE(UInt16(EvalWire.maxFeatureValues))
            v.appendBE(UInt32(EvalWire.maxProgramBytes))
        case .programLength: v.appendBE(UInt32(programBytes.count))
        case .runFrames: v.appendBE(UInt16(runFrames))
        case .resultCursor: v.appendBE(UInt32(clamping: results.cursor))
        case .tileSelect: v.appendBE(UInt16(tile))
        case .batchCount: v.appendBE(UInt16(batchCount))
        case .weightShape: v.appendBE(UInt16(weightRows)); v.appendBE(UInt16(weightColumns))
        case .weightCursor:
            let columns = max(weightColumns, 1)
            v.appendBE(UInt16(clamping: weightCursor / columns)); v.appendBE(UInt16(clamping: weightCursor % columns))
        case .programTolerance: v.appendBE(tolerance)
        case .programMaxPulses: v.appendBE(maxPulses)
        case .reportCursor: v.appendBE(UInt32(clamping: report.cursor))
        case .outputCursor:
            let code = outputs.cursor / 4
            v.appendBE(UInt16(clamping: code / g.columns)); v.appendBE(UInt16(clamping: code % g.columns))
        case .calMethod: v.appendBE(calibrationMethod)
        case .calCount: v.appendBE(calibrationCount)
        case .calCursor: v.appendBE(UInt32(clamping: calibration.cursor))
        case .command, .weightData, .inputData, .reportData, .outputData, .calData, .programData, .featureData, .resultData:
            return nil
        }
        return v
    }

    private func write(_ rawRegister: UInt8, _ p: ArraySlice<UInt8>) {
        guard let register = EvalRegister(rawValue: rawRegister) else {
            return latch(.unknownRegister, "no register \(rawRegister)")
        }
        // While an operation runs only STATUS reads, ERROR_CODE and COMMAND (which latches BUSY) get through.
        if busy && register != .command && register != .errorCode {
            return latch(.busy, "write while busy")
        }
        let g = accelerator.geometry
        func length(_ n: Int) -> Bool { hasLength(n, p, register) }
        switch register {
        case .errorCode:
            guard length(1) else { return }
            guard p[p.startIndex] == 0 else { return latch(.outOfRange, "ERROR_CODE accepts only 0 (clear)") }
            error = .none
            errorText = ""
        case .config:
            guard length(1) else { return }
            let c = p[p.startIndex]
            guard c & ~(EvalWire.configPEC | EvalWire.configLong) == 0 else {
                return latch(.outOfRange, "CONFIG bits 0x\(String(c, radix: 16)): only bits 0 (PEC) and 1 (LONG)")
            }
            pec = c & EvalWire.configPEC != 0
            long = c & EvalWire.configLong != 0
        case .tileSelect:
            guard length(2) else { return }
            let t = Int(p.u16(at: 0))
            guard t < g.tiles else { return latch(.outOfRange, "tile \(t) >= \(g.tiles)") }
            tile = t
        case .batchCount:
            guard length(2) else { return }
            let b = Int(p.u16(at: 0))
            guard (1...maxBatch).contains(b) else { return latch(.outOfRange, "batch \(b) not in 1...\(maxBatch)") }
            batchCount = b
        case .command:
            guard length(1) else { return }
            start(p[p.startIndex])
        case .weightShape:
            guard length(4) else { return }
            let r = Int(p.u16(at: 0)), c = Int(p.u16(at: 2))
            guard (1...g.rows).contains(r), (1...g.columns).contains(c) else {
                return latch(.outOfRange, "shape \(r)x\(c) exceeds \(g.rows)x\(g.columns)")
            }
            weightRows = r
            weightColumns = c
            weightCursor = 0
            for i in weights.indices { weights[i] = 0 }
        case .weightData:
            let k = (p.count - 4) / 4
            let most = long ? (EvalWire.longBytes - 4) / 4 : EvalWire.weightsPerWrite
            guard p.count >= 8, (p.count - 4) % 4 == 0, k <= most else {
                return latch(.badLength, "WEIGHT_DATA takes 4 + 4k bytes, k in 1...\(most), got \(p.count)")
            }
            let r = Int(p.u16(at: 0)), c = Int(p.u16(at: 2))
            guard weightRows > 0, r < weightRows, c < weightColumns, r * weightColumns + c + k <= weightRows * weightColumns else {
                return latch(.outOfRange, "weights at (\(r), \(c)) + \(k) outside the shape")
            }
            let values = (0..<k).map { Float(bitPattern: p.u32(at: 4 + 4 * $0)) }
            guard values.allSatisfy(\.isFinite) else { return latch(.invalidArgument, "non-finite weight near (\(r), \(c))") }
            let first = r * weightColumns + c
            for (n, w) in values.enumerated() { weights[first + n] = w }
            weightCursor = first + k
        case .programTolerance:
            guard length(8) else { return }
            tolerance = Double(bitPattern: p.u64(at: 0))
        case .programMaxPulses:
            guard length(4) else { return }
            maxPulses = p.u32(at: 0)
        case .reportCursor:
            guard length(4) else { return }
            report.cursor = Int(p.u32(at: 0))
        case .calCursor:
            guard length(4) else { return }
            calibration.cursor = Int(p.u32(at: 0))
        case .outputCursor:
            guard length(4) else { return }
            let v = Int(p.u16(at: 0)), c = Int(p.u16(at: 2))
            guard v < maxBatch, c < g.columns else { return latch(.outOfRange, "output (\(v), \(c)) outside \(maxBatch)x\(g.columns)") }
            outputs.cursor = 4 * (v * g.columns + c)
        case .inputData:
            let k = (p.count - 4) / 2
            let most = long ? (EvalWire.longBytes - 4) / 2 : EvalWire.codesPerWrite
            guard p.count >= 6, p.count % 2 == 0, k <= most else {
                return latch(.badLength, "INPUT_DATA takes 4 + 2k bytes, k in 1...\(most), got \(p.count)")
            }
            let v = Int(p.u16(at: 0)), r = Int(p.u16(at: 2))
            let first = v * g.rows + r
            guard r < g.rows, first + k <= inputs.count else { return latch(.outOfRange, "inputs at (\(v), \(r)) + \(k) outside the buffer") }
            p.withUnsafeBufferPointer { b in
                inputs.withUnsafeMutableBufferPointer { codes in
                    for n in 0..<k { codes[first + n] = Int32(Int16(bitPattern: UInt16(b[4 + 2 * n]) << 8 | UInt16(b[5 + 2 * n]))) }
                }
            }
        case .calMethod:
            guard length(1) else { return }
            let m = p[p.startIndex]
            guard m <= 1 else { return latch(.outOfRange, "calibration method \(m)") }
            calibrationMethod = m
        case .calCount:
            guard length(4) else { return }
            calibrationCount = p.u32(at: 0)
        case .programLength, .programData, .runFrames, .featureData, .resultCursor:
            guard sequencer != nil else { return latch(.unsupported, "no sequencer on this board") }
            writeProgramAndRun(register, p)
        case .identity, .status, .errorText, .geometry, .temperature, .weightCursor, .reportData, .outputData, .calData,
             .capabilities, .resultData:
            latch(.readOnly, "register \(rawRegister) is read-only")
        }
    }

    /// True when a fixed register's payload is `n` bytes; BAD_LENGTH latched otherwise.
    func hasLength(_ n: Int, _ p: ArraySlice<UInt8>, _ register: EvalRegister) -> Bool {
        guard p.count == n else { latch(.badLength, "register \(register.rawValue) takes \(n) bytes, got \(p.count)"); return false }
        return true
    }

    /// Keeps the first error: the one that explains what went wrong.
    func latch(_ code: EvalBoardError, _ text: String) {
        guard error == .none else { return }
        error = code
        errorText = Self.truncated(text, toBytes: EvalWire.blockBytes)
    }

    static func truncated(_ text: String, toBytes limit: Int) -> String {
        var out = ""
        var used = 0
        for ch in text {
            let n = String(ch).utf8.count
            guard used + n <= limit else { break }
            out.append(ch)
            used += n
        }
        return out
    }

    // MARK: RESET and READY

    private func resetLine(_ level: GPIOLevel) {
        if level == .low {
            inReset = true
            busy = false
            setReady(.low)
        } else {
            restart(keepingSequence: false)
            inReset = false
            setReady(.high)
        }
    }

    /// Power-on state: registers at their reset values, buffers and results
    /// cleared; the macro resets itself (trims cleared, volatile weights lost).
    func restart(keepingSequence: Bool) {
        let g = accelerator.geometry
        busy = false
        error = .none
        errorText = ""
        if !keepingSequence { sequence = 0 }
        pointer = 0
        pec = false
        long = false
        tile = 0
        batchCount = 1
        weightRows = 0
        weightColumns = 0
        weightCursor = 0
        weights = [Float](repeating: 0, count: g.rows * g.columns)
        tolerance = .infinity
        maxPulses = 1
        inputs = [Int32](repeating: 0, count: maxBatch * g.rows)
        calibrationMethod = 0
        calibrationCount = UInt32(clamping: accelerator.configuration.calibration.referenceVectors)
        report = ReadWindow()
        outputs = ReadWindow()
        calibration = ReadWindow()
        programBytes = []
        runFrames = 1
        features = []
        results = ReadWindow()
        sequencer?.unload()
        resetCount += 1
        do throws(HALError) { try accelerator.reset() } catch { latch(.internal, "reset: \(error)") }
    }

    func setReady(_ level: GPIOLevel) {
        // The line exists (checked at init); a failure here would be a bug in the chip model.
        try? chip.drive(readyLine, to: level)
    }
}

/// A result block read through a byte cursor that each read advances.
struct ReadWindow {
    var bytes: [UInt8] = []
    var cursor = 0

    mutating func read(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count + 1)  // and a PEC byte
        let available = max(0, min(count, bytes.count - cursor))
        if available > 0 { out += bytes[cursor..<(cursor + available)] }
        if available < count { out += repeatElement(0, count: count - available) }
        cursor += count
        return out
    }
}
