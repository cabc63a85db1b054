import CIMHAL

/// Program-and-run (protocol 1.4): the registers that stage a program and
/// a run's features, and the LOAD_PROGRAM and RUN commands, on a board
/// whose `sequencer` runs them.
extension EvalBoardModel {
    func writeProgramAndRun(_ register: EvalRegister, _ p: ArraySlice<UInt8>) {
        func length(_ n: Int) -> Bool { hasLength(n, p, register) }
        switch register {
        case .programLength:
            guard length(4) else { return }
            let n = Int(p.u32(at: 0))
            guard (1...EvalWire.maxProgramBytes).contains(n) else {
                return latch(.outOfRange, "program of \(n) bytes not in 1...\(EvalWire.maxProgramBytes)")
            }
            // A new upload: the staged bytes are zeroed and the loaded program is gone.
            programBytes = [UInt8](repeating: 0, count: n)
            sequencer?.unload()
        case .programData:
            let most = long ? EvalWire.longBytes - 4 : EvalWire.programBytesPerWrite
            guard p.count >= 5, p.count - 4 <= most else {
                return latch(.badLength, "PROGRAM_DATA takes 4 + k bytes, k in 1...\(most), got \(p.count)")
            }
            let offset = Int(p.u32(at: 0)), k = p.count - 4
            guard offset + k <= programBytes.count else {
                return latch(.outOfRange, "program bytes \(offset)+\(k) past PROGRAM_LENGTH \(programBytes.count)")
            }
            programBytes.replaceSubrange(offset..<(offset + k), with: p.dropFirst(4))
        case .runFrames:
            guard length(2) else { return }
            let frames = Int(p.u16(at: 0))
            guard frames >= 1 else { return latch(.outOfRange, "RUN_FRAMES 0") }
            runFrames = frames
        case .featureData:
            let k = (p.count - 4) / 4
            let most = long ? (EvalWire.longBytes - 4) / 4 : EvalWire.featuresPerWrite
            guard p.count >= 8, (p.count - 4) % 4 == 0, k <= most else {
                return latch(.badLength, "FEATURE_DATA takes 4 + 4k bytes, k in 1...\(most), got \(p.count)")
            }
            let offset = Int(p.u32(at: 0))
            guard offset + k <= EvalWire.maxFeatureValues else {
                return latch(.outOfRange, "features \(offset)+\(k) past the \(EvalWire.maxFeatureValues)-value buffer")
            }
            if features.count < offset + k { features += [Float](repeating: 0, count: offset + k - features.count) }
            for n in 0..<k { features[offset + n] = Float(bitPattern: p.u32(at: 4 + 4 * n)) }
        case .resultCursor:
            guard length(4) else { return }
            results.cursor = Int(p.u32(at: 0))
        default:
            latch(.unknownRegister, "register \(register.rawValue)")
        }
    }

    /// LOAD_PROGRAM: the sequencer decodes the staged bytes and checks them
    /// against the tiles; a refused program leaves none loaded.
    func loadProgram() throws(HALError) {
        guard let sequencer else { return latch(.unsupported, "no sequencer on this board") }
        guard !programBytes.isEmpty else { return latch(.invalidArgument, "no PROGRAM_LENGTH written") }
        try sequencer.load(program: programBytes)
    }

    /// RUN: the loaded program on RUN_FRAMES frames of the staged features;
    /// the outputs, `f32` each, at RESULT_DATA.
    func runProgram() throws(HALError) {
        guard let sequencer else { return latch(.unsupported, "no sequencer on this board") }
        guard let frameSize = sequencer.frameSize, let outputs = sequencer.outputCount else {
            return latch(.invalidArgument, "RUN without a loaded program")
        }
        let count = runFrames * frameSize
        guard count <= EvalWire.maxFeatureValues else {
            return latch(.outOfRange, "\(runFrames) frames of \(frameSize) exceed the feature buffer")
        }
        if features.count < count { features += [Float](repeating: 0, count: count - features.count) }
        var values = [Float](repeating: 0, count: outputs)
        try features.withUnsafeBufferPointer { (f) throws(HALError) in
            try values.withUnsafeMutableBufferPointer { (o) throws(HALError) in
                try sequencer.run(features: UnsafeBufferPointer(rebasing: f[0..<count]), into: o)
            }
        }
        var b: [UInt8] = []
        b.reserveCapacity(4 * outputs)
        for v in values { b.appendBE(v.bitPattern) }
        results = ReadWindow(bytes: b)
    }
}
