import CIMHAL

/// The simulated CIM accelerator: `CIMAccelerator` over modelled analog
/// physics, on a virtual clock, with an energy ledger.
///
/// Time is simulated: each operation advances the clock by its modelled
/// duration, and `advance(seconds:)` lets idle time pass (drift, static power)
/// without waiting for it.
public final class SimulatedAccelerator: CIMAccelerator {
    public let configuration: SimulatorConfiguration
    public internal(set) var ledger = EnergyLedger()
    /// The die's temperature over simulated time: the board file's profile
    /// until a test or an evaluation sets another (a thermal chamber).
    public var thermal: ThermalProfile
    /// The column-sum kernel: AVX where the CPU has it. Both give the same bits.
    public var kernel: ColumnKernel = .fastest
    var tiles: [SimulatedTile?]
    var programmingRNG: SeededGenerator
    var readNoiseRNG: SeededGenerator
    var calibrationRNG: SeededGenerator

    // Two of each per-vector buffer: batches run two vectors per pass.
    let inputScratch: UnsafeMutableBufferPointer<Float>
    let inputScratchB: UnsafeMutableBufferPointer<Float>
    let sliceScratch: UnsafeMutableBufferPointer<Float>
    let columnScratch: UnsafeMutableBufferPointer<Float>
    let columnScratchB: UnsafeMutableBufferPointer<Float>
    let valueScratch: UnsafeMutableBufferPointer<Float>
    let valueScratchB: UnsafeMutableBufferPointer<Float>
    let codeScratch: UnsafeMutableBufferPointer<Int32>
    let codeScratchB: UnsafeMutableBufferPointer<Int32>
    /// One random word per column for a read's noise.
    let noiseWords: UnsafeMutableBufferPointer<UInt64>
    let mvmSeconds: Double
    let hostLinkSeconds: Double
    let converterEnergy: MVMEnergy
    let adcLSB: Float

    public var geometry: CIMGeometry { configuration.geometry }
    public var nowSeconds: Double { ledger.elapsedSeconds }
    /// Between `startProgram` and `finishProgram`: tile multiplies are an on-chip program's.
    var inProgram = false

    public init(configuration c: SimulatorConfiguration) throws(HALError) {
        guard c.tiles > 0, c.rows > 0, c.columns > 0 else {
            throw .invalidArgument("geometry \(c.tiles) tiles of \(c.rows)x\(c.columns) must be positive")
        }
        guard DACQuantizer.modelledBits.contains(c.dac.bits), ADCQuantizer.modelledBits.contains(c.adc.bits) else {
            throw .invalidArgument("converter bits (DAC \(c.dac.bits), ADC \(c.adc.bits)) must be within \(DACQuantizer.modelledBits) and \(ADCQuantizer.modelledBits)")
        }
        let physicalColumns = 2 * (c.columns + (c.calibration.referenceColumn ? 1 : 0))
        let loss = c.irDrop.worstCaseLoss(rows: c.rows, physicalColumns: physicalColumns, gMaxSiemens: c.mapping.gMaxSiemens)
        guard loss <= IRDrop.firstOrderLimit else {
            throw .invalidArgument("IR drop of \(c.irDrop.wireOhmsPerSegment) Ω per segment costs a far cell up to \(Int(loss * 100))% of its current; the first-order model holds to \(Int(IRDrop.firstOrderLimit * 100))%")
        }
        configuration = c
        thermal = c.thermal
        tiles = [SimulatedTile?](repeating: nil, count: c.tiles)
        programmingRNG = SeededGenerator(seed: c.seed, stream: .programming)
        readNoiseRNG = SeededGenerator(seed: c.seed, stream: .readNoise)
        calibrationRNG = SeededGenerator(seed: c.seed, stream: .calibration)
        let logical = c.columns + (c.calibration.referenceColumn ? 1 : 0)
        func floats(_ n: Int) -> UnsafeMutableBufferPointer<Float> {
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
            b.initialize(repeating: 0)
            return b
        }
        func ints(_ n: Int) -> UnsafeMutableBufferPointer<Int32> {
            let b = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
            b.initialize(repeating: 0)
            return b
        }
        // Input vectors padded with zeros to the tiles' aligned column stride.
        let padded = SimulatedTile.paddedLength(c.rows)
        inputScratch = SimulatedTile.allocateAligned(padded)
        inputScratchB = SimulatedTile.allocateAligned(padded)
        sliceScratch = SimulatedTile.allocateAligned(padded)
        columnScratch = floats(logical); columnScratchB = floats(logical)
        valueScratch = floats(logical); valueScratchB = floats(logical)
        codeScratch = ints(logical); codeScratchB = ints(logical)
        noiseWords = .allocate(capacity: logical)
        noiseWords.initialize(repeating: 0)
        let slices = c.dac.slices
        mvmSeconds = c.energy.mvmSeconds(slices: slices, adcBits: c.adc.bits, columnsPerADC: c.columnsPerADC)
        hostLinkSeconds = c.energy.hostLinkSeconds(rows: c.rows, columns: c.columns, dacBits: c.dac.bits, adcBits: c.adc.bits)
        converterEnergy = c.energy.converterJoules(rows: c.rows, columns: logical, slices: slices, adcBits: c.adc.bits)
            + c.execution.commandEnergy(rows: c.rows, columns: logical, dacBits: c.dac.bits, adcBits: c.adc.bits)
        adcLSB = c.adc.lsb(rows: c.rows)
    }

    deinit {
        for b in [inputScratch, inputScratchB, sliceScratch] { SimulatedTile.deallocateAligned(b) }
        for b in [columnScratch, columnScratchB, valueScratch, valueScratchB] { b.deallocate() }
        codeScratch.deallocate(); codeScratchB.deallocate()
        noiseWords.deallocate()
    }

    // MARK: Time

    /// Lets `seconds` of idle time pass on the virtual clock.
    public func advance(seconds: Double) {
        ledger.pass(seconds: max(0, seconds), model: configuration.energy)
    }

    public func dieTemperatureCelsius() throws(HALError) -> Double {
        thermal.celsius(atSeconds: ledger.elapsedSeconds)
    }

    /// Duration of one MVM on a tile, and of moving its codes over the host link.
    public var secondsPerMVM: (array: Double, hostLink: Double) { (mvmSeconds, hostLinkSeconds) }

    func tileState(_ index: Int) -> SimulatedTile {
        if let t = tiles[index] { return t }
        let t = SimulatedTile(configuration: configuration, index: index)
        tiles[index] = t
        return t
    }

    // MARK: The hot path

    public func multiply(tile: Int, inputCodes: UnsafeBufferPointer<Int32>, outputCodes: UnsafeMutableBufferPointer<Int32>) throws(HALError) {
        try multiplyBatch(tile: tile, batchSize: 1, inputCodes: inputCodes, outputCodes: outputCodes)
    }

    public func multiplyBatch(tile index: Int, batchSize: Int, inputCodes: UnsafeBufferPointer<Int32>,
                              outputCodes: UnsafeMutableBufferPointer<Int32>) throws(HALError) {
        try geometry.validateMultiply(tile: index, batchSize: batchSize, inputCount: inputCodes.count, outputCount: outputCodes.count)
        let c = configuration
        let rows = c.rows, columns = c.columns
        let codeMax = c.dac.codeMax
        // Check every code before touching anything: a bad batch changes no state.
        var low = Int32.max, high = Int32.min
        for code in inputCodes {
            low = min(low, code)
            high = max(high, code)
        }
        if low < -codeMax || high > codeMax {
            let n = inputCodes.firstIndex { $0 < -codeMax || $0 > codeMax } ?? 0
            throw .invalidArgument("input code \(inputCodes[n]) at row \(n % rows) of vector \(n / rows) is outside ±\(codeMax) for a \(c.dac.bits)-bit DAC")
        }
        guard let source = inputCodes.baseAddress, let destination = outputCodes.baseAddress else { return }
        let t = tileState(index)
        let inverseCodeMax = 1 / Float(codeMax)
        // Pointer loops with wrapping index arithmetic (the counts were
        // validated above), so that they vectorise.
        func load(_ vector: Int, into x: UnsafeMutableBufferPointer<Float>) {
            let codes = source + vector &* rows, values = x.baseAddress!
            for i in 0..<rows { values[i] = Float(codes[i]) * inverseCodeMax }
        }
        func store(_ codes: UnsafeMutableBufferPointer<Int32>, as vector: Int) {
            let first = destination + vector &* columns
            first.update(from: codes.baseAddress!, count: columns)
        }
        var b = 0
        // Pairs share each weight load in the portable kernel; the AVX
        // kernel on one vector at a time is faster still (docs/performance.md, MVM
        // benchmark). Either way the bits are those of single calls.
        if !c.dac.appliesBitSerial && (kernel == .portable || kernel == .avx512) {
            while b + 1 < batchSize {
                load(b, into: inputScratch)
                load(b + 1, into: inputScratchB)
                convertPair(tile: t)
                store(codeScratch, as: b)
                store(codeScratchB, as: b + 1)
                b += 2
            }
        }
        while b < batchSize {
            load(b, into: inputScratch)
            convert(tile: t, quantizedInput: true)
            store(codeScratch, as: b)
            b += 1
        }
    }

    /// The multiply in numbers rather than codes: `input` in [−1, 1] (one
    /// per row), `output` in the units of the programmed weights (one per
    /// column). With DAC quantization off the input is applied exactly, and
    /// with the ADC off the output is not rounded — the path that shows each
    /// effect alone. With both on, it equals the code path.
    public func multiplyValues(tile index: Int, input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) throws(HALError) {
        let c = configuration
        guard (0..<c.tiles).contains(index) else { throw .invalidArgument("tile \(index) is outside 0..<\(c.tiles)") }
        guard input.count == c.rows, output.count == c.columns else {
            throw .invalidArgument("expected \(c.rows) inputs and room for \(c.columns) outputs, got \(input.count) and \(output.count)")
        }
        let t = tileState(index)
        for i in 0..<c.rows { inputScratch[i] = c.dac.quantize(input[i]) }
        convert(tile: t, quantizedInput: c.dac.enabled)
        for j in 0..<c.columns { output[j] = valueScratch[j] * Float(t.columnScale[j]) }
    }

    public func multiplyValues(tile: Int, input: [Float], into output: inout [Float]) throws(HALError) {
        try input.withUnsafeBufferPointer { (i) throws(HALError) in
            try output.withUnsafeMutableBufferPointer { (o) throws(HALError) in
                try multiplyValues(tile: tile, input: i, output: o)
            }
        }
    }

    /// Folds drift and temperature into the tile's conductances when they have moved.
    @inline(__always)
    private func refresh(_ t: SimulatedTile) {
        let c = configuration
        let now = ledger.elapsedSeconds
        t.refreshIfNeeded(nowSeconds: now,
                          celsius: c.temperature.enabled ? thermal.celsius(atSeconds: now) : c.temperature.referenceCelsius)
    }

    /// Books one MVM: its energy (converters, buffers and command fixed, cell
    /// reads from the inputs) and its time, array plus host link. Inside an
    /// on-chip program the program books the time, the buffers, the control
    /// and the periphery once it is done.
    @inline(__always)
    private func book(cellReadJoules: Double) {
        var energy = converterEnergy
        energy.cellReadJoules = cellReadJoules
        if inProgram {
            energy.bufferJoules = 0
            energy.controlJoules = 0
            energy.peripheryJoules = 0
            ledger.recordMVM(energy)
            return
        }
        ledger.recordMVM(energy)
        ledger.pass(seconds: mvmSeconds + hostLinkSeconds, model: configuration.energy)
    }

    /// The per-read stages on one slice's column sums `y`: read noise, then
    /// the converters (mismatch, trim and the ADC in one affine map and a
    /// rounding); leaves codes and the values passed on for every logical
    /// column. `rng` is a local copy: a class property written in a loop
    /// pays a dynamic exclusivity check on every access.
    @inline(__always)
    private func digitize(_ t: SimulatedTile, _ y: UnsafeMutablePointer<Float>, norm: Float,
                          codes: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>, rng: inout SeededGenerator) {
        let c = configuration
        let columns = t.logicalColumns
        c.readNoise.perturb(y, columns: columns, inputNorm: norm, words: noiseWords.baseAddress!, rng: &rng)
        c.adc.digitize(y, columns: columns, slope: t.columnSlope.baseAddress!, intercept: t.columnIntercept.baseAddress!,
                       lsb: adcLSB, codes: codes, values: values)
    }

    /// Runs `inputScratch` through the tile: analog sum, read noise, column
    /// mismatch, trim, ADC; leaves codes in `codeScratch` and normalized
    /// values in `valueScratch` for every logical column, and books the time
    /// and energy.
    func convert(tile t: SimulatedTile, quantizedInput: Bool) {
        let c = configuration
        refresh(t)
        var rng = readNoiseRNG
        defer { readNoiseRNG = rng }
        let y = columnScratch.baseAddress!
        let codes = codeScratch.baseAddress!, values = valueScratch.baseAddress!
        guard quantizedInput && c.dac.appliesBitSerial else {
            let drive = t.analogColumns(input: UnsafePointer(inputScratch.baseAddress!), output: y, kernel: kernel)
            digitize(t, y, norm: drive.sumSquares.squareRoot(), codes: codes, values: values, rng: &rng)
            book(cellReadJoules: c.energy.cellReadJoules(sumOfSquaredInputsTimesRowConductance: drive.readWeight))
            return
        }
        // One binary slice per magnitude bit, shifted and added after the ADC.
        let columns = t.logicalColumns
        let inputMax = Float(c.dac.codeMax)
        let sliceCodes = t.sliceCodes.baseAddress!, sliceValues = t.sliceValues.baseAddress!
        for j in 0..<columns { codes[j] = 0; values[j] = 0 }
        var readWeight = 0.0
        for bit in 0..<(c.dac.bits - 1) {
            for i in 0..<c.rows {
                let code = Int32((inputScratch[i] * inputMax).rounded())
                let magnitude = (code.magnitude >> UInt32(bit)) & 1
                sliceScratch[i] = magnitude == 0 ? 0 : (code < 0 ? -1 : 1)
            }
            let drive = t.analogColumns(input: UnsafePointer(sliceScratch.baseAddress!), output: y, kernel: kernel)
            readWeight += drive.readWeight
            digitize(t, y, norm: drive.sumSquares.squareRoot(), codes: sliceCodes, values: sliceValues, rng: &rng)
            for j in 0..<columns {
                codes[j] &+= sliceCodes[j] << Int32(bit)
                values[j] += sliceValues[j] * Float(1 << bit)
            }
        }
        for j in 0..<columns { values[j] /= inputMax }
        book(cellReadJoules: c.energy.cellReadJoules(sumOfSquaredInputsTimesRowConductance: readWeight))
    }

    /// `convert` for `inputScratch` and `inputScratchB` in one pass over the
    /// weights (parallel inputs only): codes land in `codeScratch` and
    /// `codeScratchB`. Noise is drawn in the same order as two single calls.
    private func convertPair(tile t: SimulatedTile) {
        let c = configuration
        refresh(t)
        var rng = readNoiseRNG
        defer { readNoiseRNG = rng }
        let yA = columnScratch.baseAddress!, yB = columnScratchB.baseAddress!
        let (driveA, driveB) = t.analogColumnsPair(UnsafePointer(inputScratch.baseAddress!), UnsafePointer(inputScratchB.baseAddress!),
                                                   yA, yB, kernel: kernel)
        digitize(t, yA, norm: driveA.sumSquares.squareRoot(), codes: codeScratch.baseAddress!, values: valueScratch.baseAddress!, rng: &rng)
        book(cellReadJoules: c.energy.cellReadJoules(sumOfSquaredInputsTimesRowConductance: driveA.readWeight))
        digitize(t, yB, norm: driveB.sumSquares.squareRoot(), codes: codeScratchB.baseAddress!, values: valueScratchB.baseAddress!, rng: &rng)
        book(cellReadJoules: c.energy.cellReadJoules(sumOfSquaredInputsTimesRowConductance: driveB.readWeight))
    }

    // MARK: Reset

    /// Clears every tile's calibration trims. Non-volatile conductances
    /// survive, as on the chip; volatile (SRAM) weights are lost, except
    /// that stuck cells stay stuck.
    public func reset() throws(HALError) {
        for t in tiles {
            guard let t else { continue }
            t.resetTrims()
            if configuration.mapping.volatile { t.erase(mapping: configuration.mapping) }
        }
    }
}

extension SimulatedAccelerator: OnChipProgramRunner {
    public var onChipSequencer: OnChipSequencer? {
        if case .onChip(let sequencer) = configuration.execution.executionModel { return sequencer }
        return nil
    }

    public var tileMultiplySeconds: Double { mvmSeconds }

    public var hostLinkBytesPerSecond: Double { configuration.energy.hostLinkBytesPerSecond }

    public func startProgram() { inProgram = true }

    /// The die's clock moves once, by the program's time: drift and
    /// temperature hold still within one on-chip inference (tens of µs).
    public func finishProgram(seconds: Double, energy: ProgramEnergy) {
        inProgram = false
        ledger.recordProgram(energy)
        ledger.pass(seconds: max(0, seconds), model: configuration.energy)
    }
}
