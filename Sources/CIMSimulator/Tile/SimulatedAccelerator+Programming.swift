import CIMHAL

extension SimulatedAccelerator {
    /// Programs `weights` into a tile under a write-verify policy.
    ///
    /// Every cell of the tile is written (cells outside the matrix get zero
    /// weight), and every cell draws its programming outcome whether or not it
    /// can take it, so stuck or worn cells never shift another cell's draws.
    /// Stuck cells keep their fault value and worn-out cells their last state;
    /// both still receive pulses, and under write-verify exhaust the budget.
    /// Cells are written `cellsInParallel` at a time, and a group waits for
    /// its slowest cell.
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
        let tolerance = policy.toleranceRelative * m.rangeSiemens
        let group = max(1, c.programmingCost.cellsInParallel)
        var pulses = 0, maxPulses = 0, outside = 0, stuckOn = 0, stuckOff = 0, wornOut = 0
        var serialPulses = 0, groupPulses = 0, ordinal = 0
        var squaredError = 0.0
        let startSeconds = ledger.elapsedSeconds
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
                for side in 0..<2 {
                    let n = i * t.physicalColumns + 2 * j + side
                    let goal = side == 0 ? gPlus : gMinus
                    let result = c.programming.program(targetSiemens: goal, rangeSiemens: m.rangeSiemens,
                                                       policy: policy, rng: &programmingRNG)
                    var cellPulses = result.pulses
                    var withinTolerance = result.withinTolerance
                    let worn = !c.endurance.acceptsCycle(after: Int(t.cycles[n]))
                    switch t.stuck[n] {
                    case .stuckOn: stuckOn += 1
                    case .stuckOff: stuckOff += 1
                    case .healthy: if worn { wornOut += 1 }
                    }
                    if t.stuck[n] == .healthy && !worn {
                        t.programmed[n] = result.conductanceSiemens
                        t.writtenAtSeconds[n] = startSeconds
                        t.cycles[n] += 1
                    } else {
                        // The cell does not move: verify keeps pulsing until the budget is spent.
                        withinTolerance = abs(t.programmed[n] - goal) <= tolerance
                        cellPulses = verified && !withinTolerance ? policy.maxPulses : 1
                        if t.stuck[n] != .healthy && !worn { t.cycles[n] += 1 }
                    }
                    if !withinTolerance && t.stuck[n] == .healthy && !worn { outside += 1 }
                    pulses += cellPulses
                    maxPulses = max(maxPulses, cellPulses)
                    groupPulses = max(groupPulses, cellPulses)
                    ordinal += 1
                    if ordinal % group == 0 { serialPulses += groupPulses; groupPulses = 0 }
                    let e = (t.programmed[n] - goal) / m.rangeSiemens
                    squaredError += e * e
                }
            }
        }
        serialPulses += groupPulses
        let cells = c.rows * t.physicalColumns
        let cost = c.programmingCost.cost(pulses: pulses, serialPulses: serialPulses, verified: verified)
        ledger.recordProgramming(joules: cost.joules)
        advance(seconds: cost.seconds)
        // Drift runs from the end of the write for the cells that took it.
        for n in 0..<cells where t.writtenAtSeconds[n] == startSeconds { t.writtenAtSeconds[n] = ledger.elapsedSeconds }
        t.lastProgrammedAtSeconds = ledger.elapsedSeconds
        t.resetTrims()
        t.invalidate()
        return ProgrammingReport(
            tile: index, cellsProgrammed: cells, totalPulses: pulses, maxPulsesOnOneCell: maxPulses,
            cellsOutsideTolerance: outside, rmsErrorRelative: (squaredError / Double(cells)).squareRoot(),
            stuckOnCells: stuckOn, stuckOffCells: stuckOff, wornOutCells: wornOut,
            durationSeconds: cost.seconds, energyJoules: cost.joules, readout: try readout(tile: index))
    }

    /// What a tile's codes mean (see `TileReadout`).
    public func readout(tile index: Int) throws(HALError) -> TileReadout {
        let c = configuration
        guard (0..<c.tiles).contains(index) else { throw .invalidArgument("tile \(index) is outside 0..<\(c.tiles)") }
        let perCode = Double(adcLSB) / (c.dac.appliesBitSerial ? Double(c.dac.codeMax) : 1)
        let scales = tiles[index]?.columnScale ?? [Double](repeating: 1, count: c.columns)
        let outputMax = c.dac.appliesBitSerial ? c.adc.codeMax * c.dac.codeMax : c.adc.codeMax
        return TileReadout(inputCodeMax: c.dac.codeMax, outputCodeMax: outputMax,
                           weightUnitsPerOutputCode: (0..<c.columns).map { scales[$0] * perCode })
    }
}
