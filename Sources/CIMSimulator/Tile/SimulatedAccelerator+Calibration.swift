import CIMHAL

extension SimulatedAccelerator {
    public func calibrate(tile index: Int, method: CalibrationMethod) throws(HALError) -> ColumnCalibration {
        let c = configuration
        guard (0..<c.tiles).contains(index) else { throw .invalidArgument("tile \(index) is outside 0..<\(c.tiles)") }
        let t = tileState(index)
        let startSeconds = ledger.elapsedSeconds
        let startJoules = ledger.totalJoules
        switch method {
        case let .referenceInputs(count):
            guard (2...1_000_000).contains(count) else {
                throw .invalidArgument("calibration needs 2...1000000 reference vectors, got \(count)")
            }
            try calibrateFromReferenceInputs(t, count: count)
        case .referenceColumn:
            guard t.hasReferenceColumn else {
                throw .unsupported("this board has no reference column (set calibration.reference_column = true)")
            }
            guard let atCalibration = t.referenceRatioAtCalibration else {
                throw .invalidArgument("reference-column tracking needs a full calibration of tile \(index) first")
            }
            let ratio = try referenceColumnRatio(t)
            let factor = Float(ratio / atCalibration)
            for j in 0..<c.columns { t.setTrim(column: j, gain: t.trimGain[j] * factor, offset: t.trimOffset[j]) }
            t.referenceRatioAtCalibration = ratio
        }
        // Offsets in output codes: bit-serial outputs count in LSB / codeMax.
        let codesPerUnit = (c.dac.appliesBitSerial ? Double(c.dac.codeMax) : 1) / Double(adcLSB)
        return ColumnCalibration(
            tile: index, method: method,
            gain: (0..<c.columns).map { Double(t.trimGain[$0]) },
            offsetCodes: (0..<c.columns).map { Double(t.trimOffset[$0]) * codesPerUnit },
            durationSeconds: ledger.elapsedSeconds - startSeconds, energyJoules: ledger.totalJoules - startJoules)
    }

    /// Drives `count` reference vectors with trims cleared and fits every
    /// column's gain and offset against the intended weights. Sums are
    /// accumulated as the vectors go, so memory does not grow with `count`.
    /// Rows that hold no weight are not driven: inference never drives them,
    /// and a stuck cell there would only bend the fit.
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
        let holdsWeight = (0..<rows).map { i in (0..<columns).contains { t.target[i * columns + $0] != 0 } }
        var sums = [ColumnCalibrator.Sums](repeating: .init(), count: columns)
        for _ in 0..<count {
            for i in 0..<rows {
                let drive = c.dac.quantize(amplitude * Float(calibrationRNG.nextSignedUnit()))
                inputScratch[i] = holdsWeight[i] ? drive : 0
            }
            convert(tile: t, quantizedInput: c.dac.enabled)
            for j in 0..<columns {
                var e: Float = 0
                for i in 0..<rows { e += inputScratch[i] * t.target[i * columns + j] }
                sums[j].add(expected: Double(e), measured: Double(valueScratch[j]))
            }
        }
        for j in 0..<columns {
            let fit = ColumnCalibrator.fit(sums[j])
            t.setTrim(column: j, gain: Float(fit.gain), offset: Float(fit.offset))
        }
        if t.hasReferenceColumn {
            t.referenceRatioAtCalibration = try referenceColumnRatio(t)
        }
    }

    /// The reference column's response (measured / intended) to a fixed
    /// all-positive input, averaged over the configured reads, through the
    /// same path as inference and with the column's trim undone.
    private func referenceColumnRatio(_ t: SimulatedTile) throws(HALError) -> Double {
        let c = configuration
        let rows = c.rows, j = c.columns, columns = t.logicalColumns
        let fullScale = Float(c.adc.fullScaleFraction) * Float(rows)
        var intendedSum: Float = 0
        for i in 0..<rows { intendedSum += t.target[i * columns + j] }
        // Half the ADC's full scale, but never below one DAC step.
        let smallestStep = c.dac.enabled ? 1 / Float(c.dac.codeMax) : 0
        let amplitude = max(smallestStep, c.dac.quantize(min(1, 0.5 * fullScale / max(intendedSum, 1e-6))))
        for i in 0..<rows { inputScratch[i] = amplitude }
        let expected = Double(amplitude * intendedSum)
        var sum = 0.0
        let reads = max(1, c.calibration.referenceColumnReads)
        for _ in 0..<reads {
            convert(tile: t, quantizedInput: c.dac.enabled)
            sum += Double(valueScratch[j] * t.trimGain[j] + t.trimOffset[j])
        }
        let ratio = sum / Double(reads) / expected
        guard expected > 0, ratio.isFinite, ratio > 0 else {
            throw .invalidArgument("the reference column read \(sum / Double(reads)) for an intended \(expected): cannot track drift from it")
        }
        return ratio
    }
}
