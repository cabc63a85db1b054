import CIMHAL

/// What CAPABILITIES says of a 1.4 board's sequencer.
public struct EvalBoardSequencer: Sendable, Hashable {
    /// The program format it runs (`OnChipProgram.formatVersion` in KWS).
    public var programFormat: UInt8
    /// Feature values one RUN takes, and program bytes it holds.
    public var maxFeatureValues: Int
    public var maxProgramBytes: Int
}

/// Program-and-run (protocol 1.4): the host loads a compiled program into
/// the board's sequencer once; an inference is then the features in, one
/// RUN, the outputs out, instead of a MULTIPLY per tile product.
extension EvalBoard: RemoteProgramRunner {
    public var programFormat: UInt8? { sequencer?.programFormat }

    /// CAPABILITIES: nil when the board has no sequencer.
    func readCapabilities() throws(HALError) -> EvalBoardSequencer? {
        var r = BigEndianReader(try readRegister(.capabilities, count: EvalBoardWire.capabilitiesBytes),
                                what: "capabilities of eval board \(address)")
        let flags = try r.u8(), format = try r.u8()
        let features = Int(try r.u16()), bytes = Int(try r.u32())
        guard flags & EvalBoardWire.capabilitySequencer != 0 else { return nil }
        return EvalBoardSequencer(programFormat: format, maxFeatureValues: features, maxProgramBytes: bytes)
    }

    public func load(program bytes: [UInt8]) throws(HALError) {
        guard let sequencer else { throw .unsupported("eval board at \(address) has no sequencer (protocol \(protocolVersion.major).\(protocolVersion.minor))") }
        guard !bytes.isEmpty, bytes.count <= sequencer.maxProgramBytes else {
            throw .invalidArgument("a program of \(bytes.count) bytes does not fit the sequencer's \(sequencer.maxProgramBytes)")
        }
        // A program the board refused is not kept: nothing runs until one is loaded.
        program = nil
        programOnBoard = false
        try flow { () throws(HALError) in try upload(bytes) }
        program = bytes
    }

    public func run(features: UnsafeBufferPointer<Float>, frames: Int, into outputs: UnsafeMutableBufferPointer<Float>) throws(HALError) {
        guard let sequencer, let program else { throw .invalidArgument("no program loaded on eval board \(address)") }
        guard frames >= 1, frames <= Int(UInt16.max), features.count <= sequencer.maxFeatureValues, features.count % frames == 0 else {
            throw .invalidArgument("\(features.count) feature values in \(frames) frames do not fit the sequencer's \(sequencer.maxFeatureValues)-value buffer")
        }
        if let n = features.firstIndex(where: { !$0.isFinite }) {
            throw .invalidArgument("feature value \(features[n]) at \(n) is not a finite number")
        }
        try flow { () throws(HALError) in
            if !programOnBoard { try upload(program) }
            var staged = StagedWrites()
            var f = BigEndianWriter(register: EvalBoardRegister.runFrames.rawValue)
            f.u16(UInt16(frames))
            try stage(f, in: &staged)
            var first = 0
            while first < features.count {
                let n = min(featuresPerWrite, features.count - first)
                var w = BigEndianWriter(register: EvalBoardRegister.featureData.rawValue, capacity: 4 + 4 * n)
                w.u32(UInt32(first))
                for k in 0..<n { w.f32(features[first + k]) }
                try stage(w, in: &staged)
                first += n
            }
            let window = ResultWindow(cursor: Self.resultCursor(0), data: .resultData, count: 4 * outputs.count)
            let result = try run(.run, "run the program", timeout: timeouts.multiplySeconds, staged: staged, result: window)
            let bytes: [UInt8]
            if let result { bytes = result } else {
                bytes = try readWindow(cursor: Self.resultCursor, data: .resultData, count: window.count, what: "outputs of the program")
            }
            var r = BigEndianReader(bytes, what: "outputs of the program")
            for k in 0..<outputs.count { outputs[k] = try r.f32() }
        }
    }

    /// PROGRAM_LENGTH (which zeroes the staging and drops the loaded
    /// program), the bytes, then LOAD_PROGRAM: the board checks it against its tiles.
    private func upload(_ bytes: [UInt8]) throws(HALError) {
        var length = BigEndianWriter(register: EvalBoardRegister.programLength.rawValue)
        length.u32(UInt32(bytes.count))
        try writeRegister(length)
        var first = 0
        while first < bytes.count {
            let n = min(programBytesPerWrite, bytes.count - first)
            var w = BigEndianWriter(register: EvalBoardRegister.programData.rawValue, capacity: 4 + n)
            w.u32(UInt32(first))
            for b in bytes[first..<(first + n)] { w.u8(b) }
            try writeRegister(w)
            first += n
        }
        try run(.loadProgram, "load the program", timeout: timeouts.programSeconds)
        programOnBoard = true
    }

    private static func resultCursor(_ offset: Int) -> BigEndianWriter {
        var w = BigEndianWriter(register: EvalBoardRegister.resultCursor.rawValue)
        w.u32(UInt32(truncatingIfNeeded: offset))
        return w
    }
}
