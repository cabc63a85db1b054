import CIMHAL
import CSimKernels
import RealModule

/// One crossbar tile: the physical state of every cell and the effective
/// weight matrix the hot path multiplies by.
///
/// Slow effects (drift, temperature, IR drop) change the conductances, not
/// the arithmetic, so they are folded into `effective` when time or
/// temperature has moved enough; per-read effects (read noise, converters,
/// column mismatch, trims) are applied on every MVM. All buffers are sized at
/// creation: the multiply allocates nothing.
final class SimulatedTile {
    let rows: Int
    /// User-visible logical columns.
    let columns: Int
    /// Logical columns including the reference (dummy) column, if any.
    let logicalColumns: Int
    let physicalColumns: Int
    let hasReferenceColumn: Bool

    /// Conductance of each cell as programmed (row-major rows x physicalColumns).
    var programmed: [Double]
    /// The slow effects folded into `effective`, and each one's per-cell
    /// parameters (drift exponent, temperature coefficient), drawn at
    /// manufacture; empty for a stage without any.
    private let stages: [any ConductanceStage]
    private let cellParameters: [[Float]]
    /// Drawn at manufacture; `SimulatedAccelerator.injectStuckCells` adds field failures.
    var stuck: [StuckAtFaults.State]
    var cycles: [Int32]

    /// Intended normalized weight of each logical cell pair (row-major rows x logicalColumns).
    var target: [Float]
    var columnScale: [Double]
    /// Per-column converter state, read on every MVM: fixed buffers, no
    /// bounds checks or copy-on-write in the column loop.
    let adcGain: UnsafeMutableBufferPointer<Float>
    let adcOffsetLSB: UnsafeMutableBufferPointer<Float>
    let trimGain: UnsafeMutableBufferPointer<Float>
    let trimInverseGain: UnsafeMutableBufferPointer<Float>
    let trimOffset: UnsafeMutableBufferPointer<Float>
    /// Mismatch, trim and the ADC's LSB folded into one affine map per
    /// column: code (before rounding) = analog · slope + intercept.
    let columnSlope: UnsafeMutableBufferPointer<Float>
    let columnIntercept: UnsafeMutableBufferPointer<Float>
    /// Per-slice results when inputs are bit-serial.
    let sliceCodes: UnsafeMutableBufferPointer<Int32>
    let sliceValues: UnsafeMutableBufferPointer<Float>
    private let adcLSB: Float
    private let mismatch: ADCColumnMismatch
    /// When each cell last took a write: its drift clock.
    var writtenAtSeconds: [Double]
    /// When the tile was last programmed: the refresh policy's time base.
    var lastProgrammedAtSeconds: Double = 0
    /// Reference-column response (measured / intended) at the last full calibration.
    var referenceRatioAtCalibration: Double?

    /// Effective normalized weights in panels of eight columns: panel p
    /// holds columns 8p ..< 8p + 8, and within it each 8-row block of the
    /// eight columns lies contiguous (256 bytes, column after column), so
    /// a pass over eight columns reads one sequential stream instead of
    /// eight strided ones. Rows are padded to `columnStride`, a multiple
    /// of 8, and columns to whole panels, with zero weights; every block
    /// is 32-byte aligned.
    let effective: UnsafeMutableBufferPointer<Float>
    let columnStride: Int
    /// Byte offsets of the 8-row blocks the current input drives (any
    /// nonzero value): rows an input leaves at zero add nothing to a column
    /// sum, so the kernels skip them. A model using part of a tile pays for
    /// the rows it uses.
    private let activeBlocks: UnsafeMutableBufferPointer<Int>
    /// Total effective conductance on each row, for cell read energy.
    let rowConductance: UnsafeMutableBufferPointer<Double>
    private let cellScratch: UnsafeMutableBufferPointer<Double>
    private let foldScratch: UnsafeMutableBufferPointer<Double>
    private let lineScratch: UnsafeMutableBufferPointer<Double>
    private var effectiveState: FoldConditions?
    /// Gmax − Gmin, which normalizes a pair's conductance difference.
    private let rangeSiemens: Double
    private let gMaxSiemens: Double

    init(configuration c: SimulatorConfiguration, index: Int) {
        rows = c.rows
        columns = c.columns
        hasReferenceColumn = c.calibration.referenceColumn
        logicalColumns = c.columns + (hasReferenceColumn ? 1 : 0)
        physicalColumns = 2 * logicalColumns
        let cells = rows * physicalColumns
        let tileSeed = c.seed &+ UInt64(index) &* 0x9E37_79B9
        var faultRNG = SeededGenerator(seed: tileSeed, stream: .stuckFaults)
        var adcRNG = SeededGenerator(seed: tileSeed, stream: .adcMismatch)
        stuck = c.stuckAt.drawMap(cells: cells, rng: &faultRNG)
        stages = c.conductanceStages
        cellParameters = stages.map { stage in
            guard let stream = stage.cellStream else { return [] }
            var rng = SeededGenerator(seed: tileSeed, stream: stream)
            return (0..<cells).map { _ in stage.drawCellParameter(rng: &rng) }
        }
        let drawn = c.adcMismatch.draw(columns: logicalColumns, rng: &adcRNG)
        adcGain = .allocate(capacity: logicalColumns); _ = adcGain.initialize(from: drawn.gain)
        adcOffsetLSB = .allocate(capacity: logicalColumns); _ = adcOffsetLSB.initialize(from: drawn.offsetLSB)
        programmed = [Double](repeating: c.mapping.gMinSiemens, count: cells)
        writtenAtSeconds = [Double](repeating: 0, count: cells)
        cycles = [Int32](repeating: 0, count: cells)
        target = [Float](repeating: 0, count: rows * logicalColumns)
        columnScale = [Double](repeating: 1, count: logicalColumns)
        trimGain = .allocate(capacity: logicalColumns); trimGain.initialize(repeating: 1)
        trimInverseGain = .allocate(capacity: logicalColumns); trimInverseGain.initialize(repeating: 1)
        trimOffset = .allocate(capacity: logicalColumns); trimOffset.initialize(repeating: 0)
        columnSlope = .allocate(capacity: logicalColumns); columnSlope.initialize(repeating: 1)
        columnIntercept = .allocate(capacity: logicalColumns); columnIntercept.initialize(repeating: 0)
        sliceCodes = .allocate(capacity: logicalColumns); sliceCodes.initialize(repeating: 0)
        sliceValues = .allocate(capacity: logicalColumns); sliceValues.initialize(repeating: 0)
        adcLSB = c.adc.lsb(rows: c.rows)
        mismatch = c.adcMismatch
        rangeSiemens = c.mapping.rangeSiemens
        gMaxSiemens = c.mapping.gMaxSiemens
        columnStride = Self.paddedLength(rows)
        effective = Self.allocateAligned(Self.paddedLength(logicalColumns) * columnStride)
        activeBlocks = .allocate(capacity: columnStride / 8)
        activeBlocks.initialize(repeating: 0)
        rowConductance = .allocate(capacity: rows)
        rowConductance.initialize(repeating: 0)
        cellScratch = .allocate(capacity: cells)
        cellScratch.initialize(repeating: 0)
        foldScratch = .allocate(capacity: cells)
        foldScratch.initialize(repeating: 1)
        lineScratch = .allocate(capacity: max(rows, physicalColumns))
        lineScratch.initialize(repeating: 0)
        resetTrims()
        erase(mapping: c.mapping)
    }

    deinit {
        for buffer in [adcGain, adcOffsetLSB, trimGain, trimInverseGain, trimOffset, columnSlope, columnIntercept] {
            buffer.deallocate()
        }
        sliceCodes.deallocate()
        sliceValues.deallocate()
        activeBlocks.deallocate()
        Self.deallocateAligned(effective)
        rowConductance.deallocate()
        cellScratch.deallocate()
        foldScratch.deallocate()
        lineScratch.deallocate()
    }

    func setTrim(column j: Int, gain: Float, offset: Float) {
        trimGain[j] = gain
        trimInverseGain[j] = 1 / gain
        trimOffset[j] = offset
        (columnSlope[j], columnIntercept[j]) = mismatch.columnMap(gain: adcGain[j], offsetLSB: adcOffsetLSB[j],
                                                                 inverseTrimGain: trimInverseGain[j], trimOffset: offset, lsb: adcLSB)
    }

    /// Every cell at Gmin (the erased state), except stuck ones, which sit
    /// at their fault value whatever happens.
    func erase(mapping: ConductanceMapping) {
        for n in programmed.indices {
            switch stuck[n] {
            case .stuckOn: programmed[n] = mapping.gMaxSiemens
            case .stuckOff, .healthy: programmed[n] = mapping.gMinSiemens
            }
        }
        for n in target.indices { target[n] = 0 }
        invalidate()
    }

    func resetTrims() {
        for j in 0..<logicalColumns { setTrim(column: j, gain: 1, offset: 0) }
        referenceRatioAtCalibration = nil
    }

    /// How often `effective` was rebuilt (the cost a board's drift settings put on the hot path).
    private(set) var rebuilds = 0

    /// Marks the effective matrix stale (after programming).
    func invalidate() { effectiveState = nil }

    /// Brings `effective` up to date for the given moment: folds again only
    /// when some stage says its conditions moved enough to matter (0.1% of
    /// a conductance), so a steady run never refreshes and a day of RRAM
    /// drift takes about a hundred refreshes.
    @inline(__always)
    func refreshIfNeeded(nowSeconds: Double, celsius: Double) {
        let now = FoldConditions(ageSeconds: nowSeconds - lastProgrammedAtSeconds, celsius: celsius)
        if let last = effectiveState, !stages.contains(where: { $0.hasMoved(since: last, to: now) }) { return }
        rebuildEffective(nowSeconds: nowSeconds, celsius: celsius)
        effectiveState = now
    }

    /// Folds every stage into the programmed conductances, then forms each
    /// differential pair's normalized weight.
    func rebuildEffective(nowSeconds: Double, celsius: Double) {
        rebuilds &+= 1
        let cells = rows * physicalColumns
        for n in 0..<cells { cellScratch[n] = programmed[n] }
        programmed.withUnsafeBufferPointer { programmed in
            writtenAtSeconds.withUnsafeBufferPointer { written in
                let array = ConductanceFold(rows: rows, physicalColumns: physicalColumns, nowSeconds: nowSeconds, celsius: celsius,
                                            gMaxSiemens: gMaxSiemens, programmed: programmed, writtenAtSeconds: written,
                                            cellScratch: foldScratch, lineScratch: lineScratch)
                for (stage, parameters) in zip(stages, cellParameters) {
                    parameters.withUnsafeBufferPointer { stage.fold(cellScratch, cellParameters: $0, in: array) }
                }
            }
        }
        let inverseRange = 1 / rangeSiemens
        for i in 0..<rows {
            var rowSum = 0.0
            for j in 0..<logicalColumns {
                let plus = i * physicalColumns + 2 * j
                let gPlus = cellScratch[plus]
                let gMinus = cellScratch[plus + 1]
                rowSum += gPlus + gMinus
                effective[effectiveIndex(row: i, column: j)] = Float((gPlus - gMinus) * inverseRange)
            }
            rowConductance[i] = rowSum
        }
    }

    /// Effective normalized weight as the hot path sees it (for tests).
    func effectiveWeight(row: Int, column: Int) -> Float { effective[effectiveIndex(row: row, column: column)] }

    /// Where weight (i, j) sits in the panel layout of `effective`.
    @inline(__always)
    func effectiveIndex(row i: Int, column j: Int) -> Int {
        let panel: Int = (j >> 3) &* 8 &* columnStride
        let block: Int = (i >> 3) &* 64
        return panel &+ block &+ (j & 7) &* 8 &+ (i & 7)
    }

    /// Column j's first block: its block at x's byte offset o is at
    /// `columnBase(j) + 8 · o`.
    @inline(__always)
    private func columnBase(_ j: Int) -> UnsafeRawPointer {
        UnsafeRawPointer(effective.baseAddress! + effectiveIndex(row: 0, column: j))
    }

    /// Rows rounded up to whole 8-float vectors.
    static func paddedLength(_ rows: Int) -> Int { (rows + 7) & ~7 }

    static func deallocateAligned(_ buffer: UnsafeMutableBufferPointer<Float>) {
        buffer.baseAddress.map { UnsafeMutableRawPointer($0).deallocate() }
    }

    /// Zeroed floats on a 64-byte boundary (a cache line, and any vector's alignment).
    static func allocateAligned(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64)
        let floats = raw.bindMemory(to: Float.self, capacity: count)
        floats.initialize(repeating: 0, count: count)
        return UnsafeMutableBufferPointer(start: floats, count: count)
    }

    /// What one input vector puts into the array besides the column sums.
    struct RowDrive {
        /// ‖x‖², for read noise.
        var sumSquares: Float
        /// Σ_i x_i² · ΣG_i, for cell read energy.
        var readWeight: Double
    }

    /// `rowDrive` over the blocks `markActiveBlocks` listed (the others are
    /// zero and add nothing), in the same row order.
    @inline(__always)
    private func rowDrive(_ x: UnsafePointer<Float>, blocks: Int) -> RowDrive {
        var sumSquares: Float = 0
        var readWeight = 0.0
        for b in 0..<blocks {
            let first = activeBlocks[b] / 4
            for i in first..<min(first + 8, rows) {
                let square = x[i] * x[i]
                sumSquares += square
                readWeight += Double(square) * rowConductance[i]
            }
        }
        return RowDrive(sumSquares: sumSquares, readWeight: readWeight)
    }

    /// y_j = Σ_i x_i · W_eff(i, j) for every logical column. `x` holds
    /// `columnStride` values, zero past `rows`, on a 32-byte boundary.
    ///
    /// Four columns per pass share each load of x; 8-wide vectors keep eight
    /// independent accumulators in flight on 4-wide hardware. Each column's
    /// sum is formed in the same order as in `analogColumnsPair`, so a batch
    /// gives the same bits as single calls.
    @inline(__always)
    func analogColumns(input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>, kernel: ColumnKernel) -> RowDrive {
        let raw = UnsafeRawPointer(x)
        let blocks = markActiveBlocks(x, x), active = activeBlocks.baseAddress!
        var j = 0
        if kernel == .avx512 {
            j = logicalColumns & ~7
            cimfw_columns_avx512(x, effective.baseAddress!, columnStride, active, blocks, j, y)
        } else if kernel == .avx {
            j = logicalColumns & ~7
            cimfw_columns_avx(x, effective.baseAddress!, columnStride, active, blocks, j, y)
        }
        while j + 3 < logicalColumns {
            let w0 = columnBase(j), w1 = columnBase(j + 1), w2 = columnBase(j + 2), w3 = columnBase(j + 3)
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            var b = 0
            while b < blocks {
                let offset = active[b], panelOffset = active[b] &* 8
                b &+= 1
                let xv = raw.load(fromByteOffset: offset, as: SIMD8<Float>.self)
                a0 += xv * w0.load(fromByteOffset: panelOffset, as: SIMD8<Float>.self)
                a1 += xv * w1.load(fromByteOffset: panelOffset, as: SIMD8<Float>.self)
                a2 += xv * w2.load(fromByteOffset: panelOffset, as: SIMD8<Float>.self)
                a3 += xv * w3.load(fromByteOffset: panelOffset, as: SIMD8<Float>.self)
            }
            y[j] = a0.sum(); y[j + 1] = a1.sum(); y[j + 2] = a2.sum(); y[j + 3] = a3.sum()
            j += 4
        }
        while j < logicalColumns {
            y[j] = column(j, x)
            j += 1
        }
        return rowDrive(x, blocks: blocks)
    }

    /// `analogColumns` for two input vectors in one pass over the weights:
    /// each weight load serves both, halving the memory traffic per MVM.
    @inline(__always)
    func analogColumnsPair(_ xA: UnsafePointer<Float>, _ xB: UnsafePointer<Float>,
                           _ yA: UnsafeMutablePointer<Float>, _ yB: UnsafeMutablePointer<Float>,
                           kernel: ColumnKernel = .portable) -> (RowDrive, RowDrive) {
        let rawA = UnsafeRawPointer(xA), rawB = UnsafeRawPointer(xB)
        let blocks = markActiveBlocks(xA, xB), active = activeBlocks.baseAddress!
        var j = 0
        if kernel == .avx512 {
            j = logicalColumns & ~7
            cimfw_columns_avx512_pair(xA, xB, effective.baseAddress!, columnStride, active, blocks, j, yA, yB)
        }
        while j + 1 < logicalColumns {
            let w0 = columnBase(j), w1 = columnBase(j + 1)
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), b0 = SIMD8<Float>(), b1 = SIMD8<Float>()
            var block = 0
            while block < blocks {
                let offset = active[block], panelOffset = active[block] &* 8
                block &+= 1
                let xa = rawA.load(fromByteOffset: offset, as: SIMD8<Float>.self)
                let xb = rawB.load(fromByteOffset: offset, as: SIMD8<Float>.self)
                let v0 = w0.load(fromByteOffset: panelOffset, as: SIMD8<Float>.self)
                let v1 = w1.load(fromByteOffset: panelOffset, as: SIMD8<Float>.self)
                a0 += xa * v0
                a1 += xa * v1
                b0 += xb * v0
                b1 += xb * v1
            }
            yA[j] = a0.sum(); yA[j + 1] = a1.sum()
            yB[j] = b0.sum(); yB[j + 1] = b1.sum()
            j += 2
        }
        if j < logicalColumns {
            yA[j] = column(j, xA)
            yB[j] = column(j, xB)
        }
        return (rowDrive(xA, blocks: blocks), rowDrive(xB, blocks: blocks))
    }

    /// Lists in `activeBlocks` the byte offsets of the 8-row blocks where
    /// `xA` or `xB` is nonzero; returns how many there are.
    @inline(__always)
    private func markActiveBlocks(_ xA: UnsafePointer<Float>, _ xB: UnsafePointer<Float>) -> Int {
        let rawA = UnsafeRawPointer(xA), rawB = UnsafeRawPointer(xB)
        let zero = SIMD8<Float>()
        var count = 0, offset = 0
        let end = columnStride &* 4
        while offset < end {
            let a = rawA.load(fromByteOffset: offset, as: SIMD8<Float>.self), b = rawB.load(fromByteOffset: offset, as: SIMD8<Float>.self)
            if any(a .!= zero) || any(b .!= zero) {
                activeBlocks[count] = offset
                count &+= 1
            }
            offset &+= 32
        }
        return count
    }

    /// One column alone, summed as the four-column pass sums it.
    @inline(__always)
    private func column(_ j: Int, _ x: UnsafePointer<Float>) -> Float {
        let raw = UnsafeRawPointer(x)
        let w0 = columnBase(j)
        var a0 = SIMD8<Float>()
        var offset = 0
        while offset < columnStride &* 4 {
            a0 += raw.load(fromByteOffset: offset, as: SIMD8<Float>.self) * w0.load(fromByteOffset: offset &* 8, as: SIMD8<Float>.self)
            offset &+= 32
        }
        return a0.sum()
    }
}
