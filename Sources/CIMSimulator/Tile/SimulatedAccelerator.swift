import CIMHAL

/// The simulated CIM accelerator: `CIMAccelerator` over modelled analog
/// physics, on a virtual clock, with an energy ledger.
///
/// Time is simulated: each operation advances the clock by its modelled
/// duration, and `advance(seconds:)` lets idle time pass (drift, static power)
/// without waiting for it.
public final class SimulatedAccelerator: CIMAccelerator {
    public let configuration: SimulatorConfiguration
    public private(set) var ledger = EnergyLedger()
    private var tiles: [SimulatedTile?]
    private var programmingRNG: SeededGenerator
    private var readNoiseRNG: SeededGenerator
    private var calibrationRNG: SeededGenerator

    // Two of each per-vector buffer: batches run two vectors per pass.
    private let inputScratch: UnsafeMutableBufferPointer<Float>
    private let inputScratchB: UnsafeMutableBufferPointer<Float>
    private let sliceScratch: UnsafeMutableBufferPointer<Float>
    private let columnScratch: UnsafeMutableBufferPointer<Float>
    private let columnScratchB: UnsafeMutableBufferPointer<Float>
    private let valueScratch: UnsafeMutableBufferPointer<Float>
    private let valueScratchB: UnsafeMutableBufferPointer<Float>
    private let codeScratch: UnsafeMutableBufferPointer<Int32>
    private let codeScratchB: UnsafeMutableBufferPointer<Int32>
    private let mvmSeconds: Double
    private let hostLinkSeconds: Double
    private let converterEnergy: MVMEnergy
    private let adcLSB: Float

    public var geometry: CIMGeometry { configuration.geometry }
    public var nowSeconds: Double { ledger.elapsedSeconds }

    public init(configuration c: SimulatorConfiguration) throws(HALError) {
        guard c.tiles > 0, c.rows > 0, c.columns > 0 else {
            throw .invalidArgument("geometry \(c.tiles) tiles of \(c.rows)x\(c.columns) must be positive")
        }
        guard (2...16).contains(c.dac.bits), (2...16).contains(c.adc.bits) else {
            throw .invalidArgument("converter bits (DAC \(c.dac.bits), ADC \(c.adc.bits)) must be within 2...16")
        }
        configuration = c
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
        let slices = c.dac.enabled ? c.dac.slices : 1
        mvmSeconds = c.energy.mvmSeconds(slices: slices, adcBits: c.adc.bits, columnsPerADC: c.columnsPerADC)
        hostLinkSeconds = c.energy.hostLinkSeconds(rows: c.rows, columns: c.columns, dacBits: c.dac.bits, adcBits: c.adc.bits)
        converterEnergy = c.energy.converterJoules(rows: c.rows, columns: logical, slices: slices, adcBits: c.adc.bits)
        adcLSB = c.adc.lsb(rows: c.rows)
    }

    deinit {
        for b in [inputScratch, inputScratchB, sliceScratch] { SimulatedTile.deallocateAligned(b) }
        for b in [columnScratch, columnScratchB, valueScratch, valueScratchB] { b.deallocate() }
        codeScratch.deallocate(); codeScratchB.deallocate()
    }

    // MARK: Time

    /// Lets `seconds` of idle time pass on the virtual clock.
    public func advance(seconds: Double) {
        ledger.pass(seconds: max(0, seconds), model: configuration.energy)
    }

    public func dieTemperatureCelsius() throws(HALError) -> Double {
        configuration.thermal.celsius(atSeconds: ledger.elapsedSeconds)
    }

    /// Duration of one MVM on a tile, and of moving its codes over the host link.
    public var secondsPerMVM: (array: Double, hostLink: Double) { (mvmSeconds, hostLinkSeconds) }

    // MARK: Programming

    public func program(tile index: Int, weights: WeightMatrix, policy: WriteVerifyPolicy) throws(HALError) -> ProgrammingReport {
        let c = configuration
        guard (0..<c.tiles).contains(index) else { throw .invalidArgument("tile \(index) is outside 0..<\(c.tiles)") }
        guard weights.rows <= c.rows, weights.columns <= c.columns else {
            throw .invalidArgument("a \(weights.rows)x\(weights.columns) matrix does not fit a \(c.rows)x\(c.columns) tile")
        }
        guard policy.maxPulses >= 1, policy.toleranceRelative > 0 else {
            throw .invalidArgument("write-verify needs max pulses ≥ 1 and a positive tolerance, got \(policy.maxPulses) and \(policy.toleranceRelative)")
        }
        let t = tileState(index)
        let m = c.mapping
        let scales = m.columnScales(of: weights)
        let verified = policy.maxPulses > 1
        var pulses = 0, maxPulses = 0, outside = 0, stuckOn = 0, stuckOff = 0, wornOut = 0
        var squaredError = 0.0
        for j in 0..<t.logicalColumns {
            t.columnScale[j] = j < weights.columns ? scales[j] : 1
        }
        for i in 0..<c.rows {
            for j in 0..<t.logicalColumns {
                let u: Double
                if j == c.columns {
                    u = m.normalizedTarget(weight: 0.5, scale: 1)  // the reference column
                } else if i < weights.rows && j < weights.columns {
                    u = m.normalizedTarget(weight: Double(weights[i, j]), scale: scales[j])
                } else {
                    u = 0
                }
                t.target[i * t.logicalColumns + j] = Float(u)
                let (gPlus, gMinus) = m.pair(forNormalized: u)
                let plus = i * t.physicalColumns + 2 * j
                for side in 0..<2 {
                    let n = plus + side
                    let goal = side == 0 ? gPlus : gMinus
                    switch t.stuck[n] {
                    case .stuckOn: stuckOn += 1
                    case .stuckOff: stuckOff += 1
                    case .healthy:
                        if !c.endurance.acceptsCycle(after: Int(t.cycles[n])) {
                            wornOut += 1
                        } else {
                            t.cycles[n] += 1
                            let result = c.programming.program(targetSiemens: goal, rangeSiemens: m.rangeSiemens,
                                                               policy: policy, rng: &programmingRNG)
                            t.programmed[n] = result.conductanceSiemens
                            pulses += result.pulses
                            maxPulses = max(maxPulses, result.pulses)
                            if !result.withinTolerance { outside += 1 }
                        }
                    }
                    let e = (t.programmed[n] - goal) / m.rangeSiemens
                    squaredError += e * e
                }
            }
        }
        let cells = c.rows * t.physicalColumns
        let cost = c.programmingCost.cost(pulses: pulses, verified: verified)
        ledger.recordProgramming(joules: cost.joules)
        advance(seconds: cost.seconds)
        t.programmedAtSeconds = ledger.elapsedSeconds
        t.isProgrammed = true
        t.resetTrims()
        t.invalidate()
        return ProgrammingReport(
            tile: index, cellsProgrammed: cells, totalPulses: pulses, maxPulsesOnOneCell: maxPulses,
            cellsOutsideTolerance: outside, rmsErrorRelative: (squaredError / Double(cells)).squareRoot(),
            stuckOnCells: stuckOn, stuckOffCells: stuckOff, wornOutCells: wornOut,
            durationSeconds: cost.seconds, energyJoules: cost.joules, readout: readout(tile: index))
    }

    /// What this tile's codes mean (see `TileReadout`).
    public func readout(tile index: Int) -> TileReadout {
        let c = configuration
        let serial = c.dac.enabled && c.dac.bitSerial
        let perCode = Double(adcLSB) / (serial ? Double(c.dac.codeMax) : 1)
        let scales = tiles[index]?.columnScale ?? [Double](repeating: 1, count: c.columns)
        let outputMax = serial ? c.adc.codeMax * c.dac.codeMax : c.adc.codeMax
        return TileReadout(inputCodeMax: c.dac.codeMax, outputCodeMax: outputMax,
                           weightUnitsPerOutputCode: (0..<c.columns).map { scales[$0] * perCode })
    }

    private func tileState(_ index: Int) -> SimulatedTile {
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
        try validateMultiply(tile: index, batchSize: batchSize, inputCount: inputCodes.count, outputCount: outputCodes.count)
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
            let n = inputCodes.firstIndex { abs($0) > codeMax } ?? 0
            throw .invalidArgument("input code \(inputCodes[n]) at row \(n % rows) of vector \(n / rows) is outside ±\(codeMax) for a \(c.dac.bits)-bit DAC")
        }
        let t = tileState(index)
        let inverseCodeMax = 1 / Float(codeMax)
        func load(_ vector: Int, into x: UnsafeMutableBufferPointer<Float>) {
            let first = vector * rows
            for i in 0..<rows { x[i] = Float(inputCodes[first + i]) * inverseCodeMax }
        }
        func store(_ codes: UnsafeMutableBufferPointer<Int32>, as vector: Int) {
            let first = vector * columns
            for j in 0..<columns { outputCodes[first + j] = codes[j] }
        }
        var b = 0
        if !c.dac.bitSerial {
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
        t.refreshIfNeeded(configuration: c, nowSeconds: now,
                          celsius: c.temperature.enabled ? c.thermal.celsius(atSeconds: now) : c.temperature.referenceCelsius)
    }

    /// Books one MVM: its energy (converters fixed, cell reads from the
    /// inputs) and its time, array plus host link.
    @inline(__always)
    private func book(cellReadJoules: Double) {
        var energy = converterEnergy
        energy.cellReadJoules = cellReadJoules
        ledger.recordMVM(energy)
        ledger.pass(seconds: mvmSeconds + hostLinkSeconds, model: configuration.energy)
    }

    /// Read noise, then mismatch, trim and the ADC, on one slice's column
    /// sums `y`: codes and the values passed on, for every logical column.
    /// Branch-free and vectorisable in the common (ADC on) case. `rng` is a
    /// local copy: a class property written in a loop pays a dynamic
    /// exclusivity check on every access.
    @inline(__always)
    private func digitize(_ t: SimulatedTile, _ y: UnsafeMutablePointer<Float>, norm: Float,
                          codes: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>, rng: inout SeededGenerator) {
        let c = configuration
        let columns = t.logicalColumns
        let lsb = adcLSB
        let sigma = Float(c.readNoise.sigmaRelative)
        if c.readNoise.enabled && sigma > 0 {
            let k = sigma * norm
            for j in 0..<columns { y[j] += k * rng.nextFastGaussian() }
        }
        let slope = t.columnSlope.baseAddress!, intercept = t.columnIntercept.baseAddress!
        if c.adc.enabled {
            // Clamp, then round by adding 1.5·2^23: the sum's low mantissa
            // bits are the integer code, the difference is the rounded value.
            let codeMax = Float(c.adc.codeMax)
            let magic: Float = 12_582_912
            for j in 0..<columns {
                let scaled = max(-codeMax, min(codeMax, y[j] * slope[j] + intercept[j])) + magic
                codes[j] = Int32(bitPattern: scaled.bitPattern) &- 0x4B40_0000
                values[j] = (scaled - magic) * lsb
            }
        } else {
            // An ideal converter passes the exact value on; the code is its rounding.
            for j in 0..<columns {
                let scaled = y[j] * slope[j] + intercept[j]
                codes[j] = Int32(max(-2.0e9, min(2.0e9, scaled.rounded())))
                values[j] = scaled * lsb
            }
        }
    }

    /// Runs `inputScratch` through the tile: analog sum, read noise, column
    /// mismatch, trim, ADC; leaves codes in `codeScratch` and normalized
    /// values in `valueScratch` for every logical column, and books the time
    /// and energy.
    private func convert(tile t: SimulatedTile, quantizedInput: Bool) {
        let c = configuration
        refresh(t)
        var rng = readNoiseRNG
        defer { readNoiseRNG = rng }
        let y = columnScratch.baseAddress!
        let codes = codeScratch.baseAddress!, values = valueScratch.baseAddress!
        guard quantizedInput && c.dac.bitSerial else {
            let drive = t.analogColumns(input: UnsafePointer(inputScratch.baseAddress!), output: y)
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
            let drive = t.analogColumns(input: UnsafePointer(sliceScratch.baseAddress!), output: y)
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
        let (driveA, driveB) = t.analogColumnsPair(UnsafePointer(inputScratch.baseAddress!), UnsafePointer(inputScratchB.baseAddress!), yA, yB)
        digitize(t, yA, norm: driveA.sumSquares.squareRoot(), codes: codeScratch.baseAddress!, values: valueScratch.baseAddress!, rng: &rng)
        book(cellReadJoules: c.energy.cellReadJoules(sumOfSquaredInputsTimesRowConductance: driveA.readWeight))
        digitize(t, yB, norm: driveB.sumSquares.squareRoot(), codes: codeScratchB.baseAddress!, values: valueScratchB.baseAddress!, rng: &rng)
        book(cellReadJoules: c.energy.cellReadJoules(sumOfSquaredInputsTimesRowConductance: driveB.readWeight))
    }

    // MARK: Calibration

    public func calibrate(tile index: Int, method: CalibrationMethod) throws(HALError) -> ColumnCalibration {
        let c = configuration
        guard (0..<c.tiles).contains(index) else { throw .invalidArgument("tile \(index) is outside 0..<\(c.tiles)") }
        let t = tileState(index)
        let startSeconds = ledger.elapsedSeconds
        let startJoules = ledger.totalJoules
        switch method {
        case let .referenceInputs(count):
            guard count >= 2 else { throw .invalidArgument("calibration needs at least 2 reference vectors, got \(count)") }
            try calibrateFromReferenceInputs(t, count: count)
        case .referenceColumn:
            guard t.hasReferenceColumn else {
                throw .unsupported("this board has no reference column (set calibration.reference_column = true)")
            }
            guard let atCalibration = t.referenceRatioAtCalibration else {
                throw .invalidArgument("reference-column tracking needs a full calibration of tile \(index) first")
            }
            let ratio = referenceColumnRatio(t)
            let factor = Float(ratio / atCalibration)
            for j in 0..<c.columns { t.setTrim(column: j, gain: t.trimGain[j] * factor, offset: t.trimOffset[j]) }
            t.referenceRatioAtCalibration = ratio
        }
        let lsb = Double(adcLSB)
        return ColumnCalibration(
            tile: index, method: method,
            gain: (0..<c.columns).map { Double(t.trimGain[$0]) },
            offsetCodes: (0..<c.columns).map { Double(t.trimOffset[$0]) / lsb },
            durationSeconds: ledger.elapsedSeconds - startSeconds, energyJoules: ledger.totalJoules - startJoules)
    }

    /// Drives `count` reference vectors with trims cleared and fits every
    /// column's gain and offset against the intended weights.
    private func calibrateFromReferenceInputs(_ t: SimulatedTile, count: Int) throws(HALError) {
        let c = configuration
        let rows = c.rows, columns = t.logicalColumns
        t.resetTrims()
        // Reference amplitude: the largest column's 1σ output at about a third of the ADC's full scale.
        var largestNorm: Float = 0
        for j in 0..<columns {
            var s: Float = 0
            for i in 0..<rows { let u = t.target[i * columns + j]; s += u * u }
            largestNorm = max(largestNorm, s.squareRoot())
        }
        let fullScale = Float(c.adc.fullScaleFraction) * Float(rows)
        let amplitude = largestNorm > 0 ? min(1, 0.35 * fullScale / (largestNorm / Float(3).squareRoot())) : 1
        var expected = [[Double]](repeating: [], count: columns)
        var measured = [[Double]](repeating: [], count: columns)
        for _ in 0..<count {
            for i in 0..<rows {
                inputScratch[i] = c.dac.quantize(amplitude * Float(calibrationRNG.nextSignedUnit()))
            }
            convert(tile: t, quantizedInput: c.dac.enabled)
            for j in 0..<columns {
                var e: Float = 0
                for i in 0..<rows { e += inputScratch[i] * t.target[i * columns + j] }
                expected[j].append(Double(e))
                measured[j].append(Double(valueScratch[j]))
            }
        }
        for j in 0..<columns {
            let fit = ColumnCalibrator.fit(expected: expected[j], measured: measured[j])
            t.setTrim(column: j, gain: Float(fit.gain), offset: Float(fit.offset))
        }
        if t.hasReferenceColumn {
            t.referenceRatioAtCalibration = referenceColumnRatio(t)
        }
    }

    /// The reference column's response (measured / intended) to a fixed
    /// all-positive input, averaged over the configured reads, through the
    /// column's current trim.
    private func referenceColumnRatio(_ t: SimulatedTile) -> Double {
        let c = configuration
        let rows = c.rows, j = c.columns, columns = t.logicalColumns
        let fullScale = Float(c.adc.fullScaleFraction) * Float(rows)
        var expectedAll: Float = 0
        for i in 0..<rows { expectedAll += t.target[i * columns + j] }
        let amplitude = c.dac.quantize(min(1, 0.5 * fullScale / max(expectedAll, 1e-6)))
        for i in 0..<rows { inputScratch[i] = amplitude }
        let expected = Double(amplitude * expectedAll)
        var sum = 0.0
        let reads = max(1, c.calibration.referenceColumnReads)
        for _ in 0..<reads {
            convert(tile: t, quantizedInput: false)
            sum += Double(valueScratch[j] * t.trimGain[j] + t.trimOffset[j])
        }
        return sum / Double(reads) / expected
    }

    // MARK: Reset

    /// Clears every tile's calibration trims. Non-volatile conductances
    /// survive, as on the chip; volatile (SRAM) weights are lost.
    public func reset() throws(HALError) {
        for t in tiles {
            guard let t else { continue }
            t.resetTrims()
            if configuration.mapping.volatile {
                for n in t.programmed.indices { t.programmed[n] = configuration.mapping.gMinSiemens }
                for n in t.target.indices { t.target[n] = 0 }
                t.isProgrammed = false
                t.invalidate()
            }
        }
    }

    // MARK: Inspection (tests and characterisation)

    /// The effective normalized weight the hot path currently uses.
    public func effectiveNormalizedWeight(tile: Int, row: Int, column: Int) -> Float? {
        guard let t = tiles[tile] else { return nil }
        let c = configuration
        t.refreshIfNeeded(configuration: c, nowSeconds: ledger.elapsedSeconds,
                          celsius: c.temperature.enabled ? c.thermal.celsius(atSeconds: ledger.elapsedSeconds) : c.temperature.referenceCelsius)
        return t.effectiveWeight(row: row, column: column)
    }

    /// Programmed conductances of a tile (row-major rows x 2·logical columns).
    public func programmedConductances(tile: Int) -> [Double]? { tiles[tile]?.programmed }

    /// Program cycles per cell of a tile.
    public func programCycles(tile: Int) -> [Int32]? { tiles[tile]?.cycles }
}
