import CIMHAL
import CVectorMath
import RealModule

/// Runs a `CompiledModel` on any `CIMAccelerator`: programs its tiles,
/// calibrates them, then classifies frames with every weight product done
/// by the accelerator and the rest (input scaling, partial sums, gates,
/// activations, pooling, softmax) on the host.
///
/// Buffers are sized at creation: after the first call, `classify`
/// allocates nothing.
public final class AcceleratorRuntime {
    private let interpreter: LayerInterpreter<AcceleratorBackend>
    private var backend: AcceleratorBackend { interpreter.backend }
    public var compiled: CompiledModel { backend.compiled }
    public var accelerator: any CIMAccelerator { backend.accelerator }
    public var programming: [ProgrammingReport] { backend.programming }

    /// The chip's own sequencer, when it runs programs.
    private let onChip: (OnChipProgramRunner, OnChipSequencer)?
    /// A board across a link whose sequencer runs this runtime's program
    /// (eval-board protocol 1.4), and whether it holds the current one.
    private let remote: RemoteProgramRunner?
    private var remoteLoaded = false

    /// Programs every tile of `compiled` with `policy`.
    public convenience init(compiled: CompiledModel, accelerator: any CIMAccelerator, policy: WriteVerifyPolicy) throws(HALError) {
        self.init(try AcceleratorBackend(compiled: compiled, accelerator: accelerator, policy: policy))
    }

    /// Runs `program` on tiles the host already programmed: the runtime of
    /// a board's sequencer (`ProgramSequencer`).
    public convenience init(program: OnChipProgram, accelerator: any CIMAccelerator) throws(HALError) {
        self.init(try AcceleratorBackend(compiled: program.compiled, accelerator: accelerator, readouts: program.readouts))
    }

    private init(_ backend: AcceleratorBackend) {
        interpreter = LayerInterpreter(backend: backend)
        let accelerator = backend.accelerator
        if let runner = accelerator as? OnChipProgramRunner, let sequencer = runner.onChipSequencer {
            onChip = (runner, sequencer)
        } else {
            onChip = nil
        }
        if let board = accelerator as? RemoteProgramRunner, board.programFormat == OnChipProgram.formatVersion {
            remote = board
        } else {
            remote = nil
        }
    }

    /// True when classifications run on the board's own sequencer (program-and-run).
    public var runsOnRemoteSequencer: Bool { remote != nil }

    /// The schedule the chip books a classification of `frames` frames by,
    /// when it runs programs on chip.
    public func onChipSchedule(frames: Int) -> OnChipSchedule? {
        onChip.map { schedule(frames: frames, runner: $0.0, sequencer: $0.1) }
    }

    /// Writes every tile again (after a reset of volatile weights, or to
    /// repair drift), and takes the new readouts.
    public func programAll(policy: WriteVerifyPolicy) throws(HALError) {
        remoteLoaded = false
        try backend.programAll(policy: policy)
    }

    /// Rewrites one tile of the plan.
    @discardableResult
    public func reprogram(tile: Int, policy: WriteVerifyPolicy) throws(HALError) -> ProgrammingReport {
        remoteLoaded = false
        return try backend.reprogram(tile: tile, policy: policy)
    }

    /// Calibrates every tile the model uses.
    public func calibrate(method: CalibrationMethod) throws(HALError) -> [ColumnCalibration] {
        try backend.calibrate(method: method)
    }

    /// The model's outputs (class probabilities) for `frames` (T x frameSize
    /// normalised features, row-major).
    public func classify(_ frames: UnsafeBufferPointer<Float>, into probabilities: UnsafeMutableBufferPointer<Float>) throws(HALError) {
        try classify(batch: frames, clips: 1, into: probabilities)
    }

    /// The outputs of `clips` clips of equal length at once (`batch` holds
    /// them one after the other, `probabilities` gets clips x outputs): every
    /// tile product is one batched MVM for all of them. On the simulator each
    /// clip's arithmetic is that of `classify` on its own, with the analog
    /// read noise drawn vector after vector within each batched MVM (on a
    /// chip, the clips meet the array in that order too).
    ///
    /// On an accelerator that runs programs on chip (`OnChipProgramRunner`
    /// with a sequencer), the call is one program: the chip books the
    /// schedule's time for the batch (`OnChipSchedule`: one latency, or the
    /// batch over the throughput of the plan's copies when that is longer)
    /// and its periphery, buffer and control energy per clip. On an eval
    /// board whose sequencer runs programs (`RemoteProgramRunner`), each clip
    /// is one run of the loaded program on the board.
    public func classify(batch: UnsafeBufferPointer<Float>, clips: Int, into probabilities: UnsafeMutableBufferPointer<Float>) throws(HALError) {
        if let remote { return try classifyOnBoard(remote, batch: batch, clips: clips, into: probabilities) }
        guard let (runner, sequencer) = onChip, clips > 0, batch.count % max(1, clips * compiled.model.frameSize) == 0 else {
            try interpreter.classify(batch: batch, clips: clips, into: probabilities)
            return
        }
        let schedule = self.schedule(frames: batch.count / clips / compiled.model.frameSize, runner: runner, sequencer: sequencer)
        runner.startProgram()
        do {
            try interpreter.classify(batch: batch, clips: clips, into: probabilities)
        } catch {
            runner.finishProgram(seconds: 0, energy: .zero)
            throw error
        }
        let seconds = max(schedule.secondsPerInference, Double(clips) / schedule.inferencesPerSecond)
        runner.finishProgram(seconds: seconds, energy: schedule.energy.scaled(by: Double(clips)))
    }


    /// Each clip as one RUN of the program on the board's sequencer, the
    /// program loaded first when the board does not hold the current one.
    private func classifyOnBoard(_ board: RemoteProgramRunner, batch: UnsafeBufferPointer<Float>, clips: Int,
                                 into probabilities: UnsafeMutableBufferPointer<Float>) throws(HALError) {
        let model = compiled.model
        guard clips > 0, batch.count % clips == 0, probabilities.count == clips * model.outputs else {
            throw .invalidArgument("\(batch.count) input values and room for \(probabilities.count) outputs are not \(clips) clips of a model with \(model.outputs) outputs")
        }
        let clipValues = batch.count / clips
        guard clipValues > 0, clipValues % model.frameSize == 0 else {
            throw .invalidArgument("\(clipValues) input values are not whole frames of \(model.frameSize)")
        }
        let frames = clipValues / model.frameSize
        if let fixed = model.fixedFrames, frames != fixed { throw .invalidArgument("\(frames) frames; the model takes \(fixed)") }
        for c in 0..<clips { try backend.checkInput(UnsafeBufferPointer(rebasing: batch[(c * clipValues)..<((c + 1) * clipValues)])) }
        if !remoteLoaded {
            let program = try OnChipProgram(compiled: compiled, readouts: backend.programming.map(\.readout))
            try board.load(program: try program.encoded())
            remoteLoaded = true
        }
        for c in 0..<clips {
            try board.run(features: UnsafeBufferPointer(rebasing: batch[(c * clipValues)..<((c + 1) * clipValues)]), frames: frames,
                          into: UnsafeMutableBufferPointer(rebasing: probabilities[(c * model.outputs)..<((c + 1) * model.outputs)]))
        }
    }

    /// The schedule for inputs of `frames` frames, planned at the first input of that length.
    private var schedules: [Int: OnChipSchedule] = [:]

    private func schedule(frames: Int, runner: OnChipProgramRunner, sequencer: OnChipSequencer) -> OnChipSchedule {
        if let known = schedules[frames] { return known }
        let planned = OnChipSchedule.plan(compiled, frames: frames, sequencer: sequencer,
                                          mvmSeconds: runner.tileMultiplySeconds, hostLinkBytesPerSecond: runner.hostLinkBytesPerSecond)
        schedules[frames] = planned
        return planned
    }
}

/// The tiles as a `LayerBackend`: each product is the matrix's pieces on
/// their tiles, inputs scaled to DAC codes, partial sums added.
final class AcceleratorBackend: LayerBackend {
    let compiled: CompiledModel
    let accelerator: any CIMAccelerator
    private(set) var programming: [ProgrammingReport] = []
    var model: NeuralNetwork { compiled.model }
    /// Per layer: the matrix holding its product (a GRU's gates), and a
    /// GRU's candidate matrix (linear_before_reset = 0); −1 where none.
    private let matrixOfLayer: [Int]
    private let candidateMatrixOfLayer: [Int]

    /// Per piece: its tile's readout as Float multipliers, and code limits.
    private let outputScale: UnsafeMutableBufferPointer<Float>
    private let inputCodeMax: UnsafeMutableBufferPointer<Float>
    private let piecesOfMatrix: [[Int]]
    /// The plan flattened for the hot path (no array-of-struct copies,
    /// no per-access checks): each piece's shape, then its physical rows
    /// and columns and its digital weights' positions, piece after piece.
    /// `firstPhysicalRow` and `firstPhysicalColumn` are set when the piece's
    /// rows (columns) are consecutive on the tile, −1 when placement around
    /// faults scattered them: consecutive ones take loops that vectorise.
    private struct Layout {
        var tile, rowStart, rowCount, columnStart, columnCount, rowMap, columnMap: Int
        var firstPhysicalRow, firstPhysicalColumn: Int
    }
    private let layout: [Layout]
    private let matrixDataRows: [Int], matrixOutputs: [Int]
    private let physicalRows: UnsafeMutableBufferPointer<Int>
    private let physicalColumns: UnsafeMutableBufferPointer<Int>
    private let digitalRow: UnsafeMutableBufferPointer<Int>
    private let digitalColumn: UnsafeMutableBufferPointer<Int>
    /// Clips the per-clip buffers below hold.
    private var capacity = 0
    /// A GRU's gate input gathered, per clip: [x/s repeated; h].
    private var gateInput: UnsafeMutablePointer<Float>
    private let gateInputSize: Int
    /// Per clip: a vector of DAC codes, of ADC codes, and the input's largest magnitude.
    private var inputCodes: UnsafeMutablePointer<Int32>
    private var outputCodes: UnsafeMutablePointer<Int32>
    private var largestInput: UnsafeMutablePointer<Float>
    /// Per piece, its digital weights as applied: the weight, less the
    /// full-range weight a stuck-on pair adds (known once the tile's readout is).
    private let digital: UnsafeMutableBufferPointer<Float>
    private let digitalOffset: [Int]

    /// Programs every tile of the plan with `policy` and takes their readouts.
    convenience init(compiled: CompiledModel, accelerator: any CIMAccelerator, policy: WriteVerifyPolicy) throws(HALError) {
        try self.init(compiled: compiled, accelerator: accelerator)
        try programAll(policy: policy)
    }

    /// Tiles programmed before (`readouts`: per piece, in piece order): a
    /// chip's sequencer running a program on what the host put there.
    convenience init(compiled: CompiledModel, accelerator: any CIMAccelerator, readouts: [TileReadout]) throws(HALError) {
        try self.init(compiled: compiled, accelerator: accelerator)
        guard readouts.count == compiled.pieces.count else {
            throw .invalidArgument("\(readouts.count) readouts for \(compiled.pieces.count) pieces")
        }
        for (n, readout) in readouts.enumerated() { try adopt(readout, piece: n) }
    }

    private init(compiled: CompiledModel, accelerator: any CIMAccelerator) throws(HALError) {
        guard accelerator.geometry == compiled.geometry else {
            throw .invalidArgument("the model was compiled for \(compiled.geometry) but the accelerator is \(accelerator.geometry)")
        }
        self.compiled = compiled
        self.accelerator = accelerator
        let geometry = compiled.geometry
        outputScale = .allocate(capacity: compiled.pieces.count * geometry.columns)
        outputScale.initialize(repeating: 0)
        inputCodeMax = .allocate(capacity: compiled.pieces.count)
        inputCodeMax.initialize(repeating: 0)
        var layout: [Layout] = []
        var rowMap: [Int] = [], columnMap: [Int] = [], dRow: [Int] = [], dColumn: [Int] = []
        func firstOfRun(_ map: [Int]) -> Int {
            guard let first = map.first, map.enumerated().allSatisfy({ $0.element == first + $0.offset }) else { return -1 }
            return first
        }
        for p in compiled.pieces {
            layout.append(Layout(tile: p.tile, rowStart: p.rowStart, rowCount: p.rowCount, columnStart: p.columnStart,
                                 columnCount: p.columnCount, rowMap: rowMap.count, columnMap: columnMap.count,
                                 firstPhysicalRow: firstOfRun(p.physicalRows), firstPhysicalColumn: firstOfRun(p.physicalColumns)))
            rowMap += p.physicalRows
            columnMap += p.physicalColumns
            dRow += p.digitalWeights.map { p.rowStart + $0.row }
            dColumn += p.digitalWeights.map { p.columnStart + $0.column }
        }
        self.layout = layout
        matrixDataRows = compiled.matrices.map(\.dataRows)
        matrixOutputs = compiled.matrices.map(\.outputs)
        func buffer(_ values: [Int]) -> UnsafeMutableBufferPointer<Int> {
            let b = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(1, values.count))
            b.initialize(repeating: 0)
            for (k, v) in values.enumerated() { b[k] = v }
            return b
        }
        physicalRows = buffer(rowMap)
        physicalColumns = buffer(columnMap)
        digitalRow = buffer(dRow)
        digitalColumn = buffer(dColumn)
        piecesOfMatrix = compiled.matrices.indices.map { m in compiled.pieces.indices.filter { compiled.pieces[$0].matrix == m } }
        gateInputSize = max(1, compiled.matrices.map(\.dataRows).max() ?? 1)
        // One clip's buffers; `reserve(clips:)` grows them for larger batches.
        capacity = 1
        gateInput = allocateZeroed(gateInputSize)
        inputCodes = allocateZeroed(geometry.rows)
        outputCodes = allocateZeroed(geometry.columns)
        largestInput = allocateZeroed(1)
        matrixOfLayer = compiled.model.layers.indices.map { n in
            compiled.matrices.firstIndex { $0.role == .gruGates(layer: n) || $0.role == .matrix(layer: n) } ?? -1
        }
        candidateMatrixOfLayer = compiled.model.layers.indices.map { n in
            compiled.matrices.firstIndex { $0.role == .gruCandidate(layer: n) } ?? -1
        }
        digitalOffset = compiled.pieces.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.digitalWeights.count) }
        digital = .allocate(capacity: max(1, digitalOffset[digitalOffset.count - 1]))
        digital.initialize(repeating: 0)
    }

    deinit {
        outputScale.deallocate()
        releaseBatchBuffers()
        digital.deallocate()
        inputCodeMax.deallocate()
        for b in [physicalRows, physicalColumns, digitalRow, digitalColumn] { b.deallocate() }
    }

    /// Writes every tile again (after a reset of volatile weights, or to
    /// repair drift), and takes the new readouts.
    func programAll(policy: WriteVerifyPolicy) throws(HALError) {
        programming = []
        for n in compiled.pieces.indices {
            programming.append(try program(piece: n, policy: policy))
        }
    }

    /// Rewrites one tile of the plan.
    @discardableResult
    func reprogram(tile: Int, policy: WriteVerifyPolicy) throws(HALError) -> ProgrammingReport {
        guard let n = compiled.pieces.firstIndex(where: { $0.tile == tile }) else {
            throw .invalidArgument("tile \(tile) holds no part of the model (tiles 0..<\(compiled.tilesUsed) do)")
        }
        let report = try program(piece: n, policy: policy)
        programming[n] = report
        return report
    }

    /// Programs piece `n` and takes its tile's readout for the hot path.
    private func program(piece n: Int, policy: WriteVerifyPolicy) throws(HALError) -> ProgrammingReport {
        let piece = compiled.pieces[n]
        let report = try accelerator.program(tile: piece.tile, weights: compiled.weights(of: piece), policy: policy)
        try adopt(report.readout, piece: n)
        return report
    }

    /// Piece `n`'s tile readout as the hot path uses it: output scales, the
    /// input code limit, digital weights less what stuck-on pairs add.
    private func adopt(_ readout: TileReadout, piece n: Int) throws(HALError) {
        let piece = compiled.pieces[n]
        let columns = compiled.geometry.columns
        guard readout.weightUnitsPerOutputCode.count > (piece.physicalColumns.max() ?? 0), readout.inputCodeMax > 0 else {
            throw .invalidArgument("tile \(piece.tile) reports a readout for \(readout.weightUnitsPerOutputCode.count) columns; the plan uses up to column \(piece.physicalColumns.max() ?? 0)")
        }
        for c in 0..<min(columns, readout.weightUnitsPerOutputCode.count) { outputScale[n * columns + c] = Float(readout.weightUnitsPerOutputCode[c]) }
        inputCodeMax[n] = Float(readout.inputCodeMax)
        for (k, d) in piece.digitalWeights.enumerated() {
            let fullWeight = readout.weightUnitsPerOutputCode[piece.physicalColumns[d.column]] * d.codesPerFullWeight
            digital[digitalOffset[n] + k] = d.weight - d.stuckOnSign * Float(fullWeight)
        }
    }

    /// Calibrates every tile the model uses.
    func calibrate(method: CalibrationMethod) throws(HALError) -> [ColumnCalibration] {
        var results: [ColumnCalibration] = []
        for piece in compiled.pieces {
            results.append(try accelerator.calibrate(tile: piece.tile, method: method))
        }
        return results
    }

    static func invalidInput(_ message: String) -> HALError { .invalidArgument(message) }

    func checkInput(_ frames: UnsafeBufferPointer<Float>) throws(HALError) {
        let i = model.frameSize
        for n in 0..<frames.count where !frames[n].isFinite {
            throw .invalidArgument("input value \(frames[n]) at frame \(n / i), coefficient \(n % i) is not a finite number")
        }
    }

    func multiply(layer: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) throws(HALError) {
        try multiply(layer: layer, inputs: input, inputStride: 0, outputs: output, outputStride: 0, clips: 1)
    }

    func multiply(layer: Int, inputs: UnsafePointer<Float>, inputStride: Int, outputs: UnsafeMutablePointer<Float>,
                  outputStride: Int, clips: Int) throws(HALError) {
        let m = matrixOfLayer[layer]
        guard m >= 0 else { throw .invalidArgument("layer \(layer) is not on the tiles") }
        try multiply(matrix: m, inputs: inputs, inputStride: inputStride, outputs: outputs, outputStride: outputStride, clips: clips)
    }

    func recurrentProducts(layer: Int, frame: UnsafePointer<Float>, state: UnsafePointer<Float>,
                           into products: RecurrentProducts) throws(HALError) {
        try withUnsafePointer(to: frame) { (frames) throws(HALError) in
            try recurrentProducts(layer: layer, frames: frames, states: state, into: products, clipStride: 0, clips: 1)
        }
    }

    /// Rows [x/s repeated; h; bias] in one pass; columns [z | r | W_h x | R_h h]
    /// (linear_before_reset = 1) or [z | r | W_h x].
    func recurrentProducts(layer: Int, frames: UnsafePointer<UnsafePointer<Float>>, states: UnsafePointer<Float>,
                           into products: RecurrentProducts, clipStride: Int, clips: Int) throws(HALError) {
        let m = matrixOfLayer[layer]
        guard m >= 0, case .recurrent(let g) = model.layers[layer] else {
            throw .invalidArgument("layer \(layer) is not a GRU on the tiles")
        }
        reserve(clips: clips)
        let h = g.hiddenSize, i = g.inputSize
        let gates = compiled.matrices[m]
        let dataRows = gates.dataRows
        let inverseScale = 1 / compiled.frameFullScale
        for c in 0..<clips {
            let gatesIn = gateInput + c &* dataRows, frame = frames[c]
            for copy in 0..<gates.inputReplicas {
                let replica = gatesIn + copy &* i
                for col in 0..<i { replica[col] = frame[col] * inverseScale }
            }
            (gatesIn + gates.inputReplicas * i).update(from: states + c &* clipStride, count: h)
        }
        // The matrix's columns are the products' order.
        try multiply(matrix: m, inputs: gateInput, inputStride: dataRows, outputs: products.values, outputStride: clipStride, clips: clips)
    }

    func resetProduct(layer: Int, resetState: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) throws(HALError) {
        try resetProduct(layer: layer, resetStates: resetState, into: output, clipStride: 0, clips: 1)
    }

    func resetProduct(layer: Int, resetStates: UnsafePointer<Float>, into outputs: UnsafeMutablePointer<Float>,
                      clipStride: Int, clips: Int) throws(HALError) {
        let m = candidateMatrixOfLayer[layer]
        guard m >= 0 else { throw .invalidArgument("layer \(layer) has no candidate matrix on the tiles") }
        try multiply(matrix: m, inputs: resetStates, inputStride: clipStride, outputs: outputs, outputStride: clipStride, clips: clips)
    }

    /// The digital periphery's vectorised gate functions.
    func sigmoid(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) { cimfw_sigmoid(x, y, count) }
    func tanh(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) { cimfw_tanh(x, y, count) }

    /// Sizes the per-clip buffers for `clips` at once (warm-up: the first batch of a size).
    private func reserve(clips: Int) {
        guard clips > capacity else { return }
        releaseBatchBuffers()
        capacity = clips
        let geometry = compiled.geometry
        gateInput = allocateZeroed(gateInputSize * clips)
        inputCodes = allocateZeroed(geometry.rows * clips)
        outputCodes = allocateZeroed(geometry.columns * clips)
        largestInput = allocateZeroed(clips)
    }

    private func releaseBatchBuffers() {
        gateInput.deallocate()
        inputCodes.deallocate()
        outputCodes.deallocate()
        largestInput.deallocate()
    }

    /// outputs = matrix · inputs over its tiles, for `clips` inputs at once:
    /// each input scaled so its largest value is at most full scale,
    /// quantised to DAC codes; one batched MVM per tile; partial sums of row
    /// blocks added, codes turned into numbers by each tile's readout. Each
    /// input holds the data rows; the bias rows after them are driven at
    /// full scale (1). Clip by clip, the arithmetic is that of a batch of one.
    @inline(__always)
    private func multiply(matrix m: Int, inputs: UnsafePointer<Float>, inputStride: Int, outputs: UnsafeMutablePointer<Float>,
                          outputStride: Int, clips: Int) throws(HALError) {
        reserve(clips: clips)
        let rows = compiled.geometry.rows, columns = compiled.geometry.columns
        let codes = inputCodes, results = outputCodes
        let dataRows = matrixDataRows[m]
        for c in 0..<clips {
            let input = inputs + c &* inputStride, output = outputs + c &* outputStride
            var largest: Float = 1
            for r in 0..<dataRows { largest = max(largest, abs(input[r])) }
            largestInput[c] = largest
            for o in 0..<matrixOutputs[m] { output[o] = 0 }
        }
        // Round to nearest by adding 1.5·2^23 (codes are far below 2^22).
        let magic: Float = 12_582_912
        for n in piecesOfMatrix[m] {
            let piece = layout[n]
            let codeMax = inputCodeMax[n]
            let rowMap = physicalRows.baseAddress! + piece.rowMap, columnMap = physicalColumns.baseAddress! + piece.columnMap
            codes.update(repeating: 0, count: rows &* clips)
            for c in 0..<clips {
                let perUnit = codeMax / largestInput[c], clipCodes = codes + c &* rows
                let source = inputs + c &* inputStride + piece.rowStart, sourceRows = dataRows - piece.rowStart
                @inline(__always) func code(_ r: Int) -> Int32 {
                    let value = r < sourceRows ? source[r] : 1
                    let scaled = max(-codeMax, min(codeMax, value * perUnit)) + magic
                    return Int32(bitPattern: scaled.bitPattern) &- 0x4B40_0000
                }
                if piece.firstPhysicalRow >= 0 {
                    let target = clipCodes + piece.firstPhysicalRow
                    for r in 0..<piece.rowCount { target[r] = code(r) }
                } else {
                    for r in 0..<piece.rowCount { clipCodes[rowMap[r]] = code(r) }
                }
            }
            try accelerator.multiplyBatch(tile: piece.tile, batchSize: clips,
                                          inputCodes: UnsafeBufferPointer(start: codes, count: rows &* clips),
                                          outputCodes: UnsafeMutableBufferPointer(start: results, count: columns &* clips))
            let scale = outputScale.baseAddress! + n &* columns
            for c in 0..<clips {
                let largest = largestInput[c], clipResults = results + c &* columns
                let input = inputs + c &* inputStride, output = outputs + c &* outputStride
                let out = output + piece.columnStart
                if piece.firstPhysicalColumn >= 0 {
                    let first = piece.firstPhysicalColumn
                    let tileCodes = clipResults + first, tileScale = scale + first
                    for col in 0..<piece.columnCount { out[col] += Float(tileCodes[col]) * tileScale[col] * largest }
                } else {
                    for col in 0..<piece.columnCount {
                        let p = columnMap[col]
                        out[col] += Float(clipResults[p]) * scale[p] * largest
                    }
                }
                for k in digitalOffset[n]..<digitalOffset[n + 1] {
                    let row = digitalRow[k]
                    output[digitalColumn[k]] += digital[k] * (row < dataRows ? input[row] : 1)
                }
            }
        }
    }
}
