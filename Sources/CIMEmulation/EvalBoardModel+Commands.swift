import CIMHAL
import CIMSimulator

/// The operations COMMAND starts, and the result blocks they leave behind.
extension EvalBoardModel {
    func start(_ opcode: UInt8) {
        guard !busy else { return latch(.busy, "command \(opcode) while busy") }
        commandLog.append(opcode)
        busy = true
        setReady(.low)
        guard !hangsOnCommand else { return }  // BUSY forever: only RESET gets the board back
        let began = accelerator.nowSeconds
        // A latched error refuses the command, so a rejected upload is never run.
        if error == .none {
            do throws(HALError) {
                try run(opcode)
            } catch {
                switch error {
                case let .invalidArgument(message): latch(.invalidArgument, message)
                case let .unsupported(message): latch(.unsupported, message)
                default: latch(.internal, error.description)
                }
            }
        }
        clock.advance(seconds: accelerator.nowSeconds - began)
        busy = false
        sequence &+= 1
        setReady(.high)
    }

    private func run(_ opcode: UInt8) throws(HALError) {
        guard let op = EvalOpcode(rawValue: opcode) else { return latch(.unknownCommand, "opcode \(opcode)") }
        switch op {
        case .program: try program()
        case .multiply: try multiply()
        case .calibrate: try calibrate()
        case .softReset: restart(keepingSequence: true)
        case .loadProgram: try loadProgram()
        case .run: try runProgram()
        }
    }

    private func program() throws(HALError) {
        guard weightRows > 0 else { return latch(.invalidArgument, "no WEIGHT_SHAPE written") }
        guard maxPulses >= 1 else { return latch(.invalidArgument, "max pulses must be >= 1") }
        let matrix = try WeightMatrix(rows: weightRows, columns: weightColumns,
                                      values: Array(weights[0..<(weightRows * weightColumns)]))
        let r = try accelerator.program(tile: tile, weights: matrix,
                                        policy: WriteVerifyPolicy(toleranceRelative: tolerance, maxPulses: Int(maxPulses)))
        var b: [UInt8] = []
        b.appendBE(UInt16(r.tile)); b.appendBE(UInt16(0))
        b.appendBE(UInt32(clamping: r.cellsProgrammed))
        b.appendBE(UInt64(clamping: r.totalPulses))
        b.appendBE(UInt32(clamping: r.maxPulsesOnOneCell))
        b.appendBE(UInt32(clamping: r.cellsOutsideTolerance))
        b.appendBE(UInt32(clamping: r.stuckOnCells))
        b.appendBE(UInt32(clamping: r.stuckOffCells))
        b.appendBE(UInt32(clamping: r.wornOutCells))
        b.appendBE(r.readout.inputCodeMax)
        b.appendBE(r.readout.outputCodeMax)
        b.appendBE(UInt16(clamping: r.readout.weightUnitsPerOutputCode.count)); b.appendBE(UInt16(0))
        b.appendBE(r.rmsErrorRelative)
        b.appendBE(r.durationSeconds)
        b.appendBE(r.energyJoules)
        for x in r.readout.weightUnitsPerOutputCode { b.appendBE(x) }
        report = ReadWindow(bytes: b)
    }

    private func multiply() throws(HALError) {
        let g = accelerator.geometry
        let count = batchCount * g.columns
        if outputCodes.count < count { outputCodes = [Int32](repeating: 0, count: count) }
        try inputs.withUnsafeBufferPointer { (i) throws(HALError) in
            try outputCodes.withUnsafeMutableBufferPointer { (o) throws(HALError) in
                try accelerator.multiplyBatch(tile: tile, batchSize: batchCount,
                                              inputCodes: UnsafeBufferPointer(rebasing: i[0..<(batchCount * g.rows)]),
                                              outputCodes: UnsafeMutableBufferPointer(rebasing: o[0..<count]))
            }
        }
        // Encoded in one pass into a buffer the window then owns (a loop of
        // appends to the class's own array would check exclusive access per byte).
        let bytes = outputCodes.withUnsafeBufferPointer { codes in
            [UInt8](unsafeUninitializedCapacity: 4 * count) { b, initialised in
                for k in 0..<count {
                    let v = UInt32(bitPattern: codes[k])
                    b[4 * k] = UInt8(truncatingIfNeeded: v >> 24)
                    b[4 * k + 1] = UInt8(truncatingIfNeeded: v >> 16)
                    b[4 * k + 2] = UInt8(truncatingIfNeeded: v >> 8)
                    b[4 * k + 3] = UInt8(truncatingIfNeeded: v)
                }
                initialised = 4 * count
            }
        }
        outputs = ReadWindow(bytes: bytes)
        if recordsOutputs { servedOutputs += outputCodes[0..<count] }
    }

    private func calibrate() throws(HALError) {
        let method: CalibrationMethod = calibrationMethod == 0
            ? .referenceInputs(count: Int(calibrationCount)) : .referenceColumn
        let r = try accelerator.calibrate(tile: tile, method: method)
        var b: [UInt8] = []
        b.appendBE(UInt16(r.tile)); b.appendBE(calibrationMethod); b.appendBE(UInt8(0))
        b.appendBE(calibrationMethod == 0 ? calibrationCount : 0)
        b.appendBE(UInt16(clamping: r.gain.count))
        b += [UInt8](repeating: 0, count: 6)
        b.appendBE(r.durationSeconds)
        b.appendBE(r.energyJoules)
        for x in r.gain { b.appendBE(x) }
        for x in r.offsetCodes { b.appendBE(x) }
        calibration = ReadWindow(bytes: b)
    }
}
