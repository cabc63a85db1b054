import CIMHAL

/// What a chip's sequencer needs to run a compiled model on its own tiles,
/// as the bytes the eval-board protocol's program-and-run extension carries
/// (boards/cim-eval-protocol.md, "Program and run (1.4)"): the layers'
/// structure, the crossbar matrices' shapes, where each piece sits, its
/// digital weights, and each tile's readout from programming. The weights
/// themselves are already in the tiles (PROGRAM put them there), so the
/// program leaves them out: a sequencer never needs them.
///
/// Format 1, big-endian throughout, every count before what it counts:
/// header (`CIMP`, format, geometry), the network (frame size, fixed
/// frames, softmax, then each layer's kind and shape), the input full
/// scale, the matrices (role, layer, rows, outputs, name), the pieces
/// (placement, physical rows and columns, digital weights) and one readout
/// per piece. `decode` checks every count and index against the bytes and
/// the geometry, so a damaged program is refused, never run.
public struct OnChipProgram: Sendable {
    public static let magic: UInt32 = 0x4349_4D50  // "CIMP"
    public static let formatVersion: UInt8 = 1

    public var compiled: CompiledModel
    /// Per piece, in piece order: its tile's readout from programming.
    public var readouts: [TileReadout]

    public init(compiled: CompiledModel, readouts: [TileReadout]) throws(HALError) {
        guard readouts.count == compiled.pieces.count else {
            throw .invalidArgument("a program needs one readout per piece: \(compiled.pieces.count) pieces, \(readouts.count) readouts")
        }
        self.compiled = compiled
        self.readouts = readouts
    }

    // MARK: Encoding

    /// The program's bytes; fails when a size does not fit its field.
    public func encoded() throws(HALError) -> [UInt8] {
        var w = ProgramWriter()
        let g = compiled.geometry, model = compiled.model
        w.u32(Self.magic)
        w.u8(Self.formatVersion)
        w.u8(0)
        try w.u16(g.tiles, "tiles"); try w.u16(g.rows, "rows"); try w.u16(g.columns, "columns")
        try w.u8(g.dacBits, "DAC bits"); try w.u8(g.adcBits, "ADC bits"); try w.u8(g.weightBits, "weight bits")
        try w.u16(g.columnsPerADC, "columns per ADC")
        try w.u16(model.frameSize, "frame size")
        try w.u16(model.fixedFrames ?? 0, "fixed frames")
        w.u8(model.softmax ? 1 : 0)
        try w.u16(model.layers.count, "layers")
        for layer in model.layers {
            switch layer {
            case .recurrent(let g):
                w.u8(LayerKind.recurrent.rawValue)
                try w.u16(g.inputSize, "GRU input"); try w.u16(g.hiddenSize, "GRU hidden")
                w.u8((g.linearBeforeReset ? 1 : 0) | (g.reverse ? 2 : 0))
                try w.u16(g.sequenceLength ?? 0, "GRU sequence length")
                for v in g.initialState { w.f32(v) }
            case .dense(let d):
                w.u8(LayerKind.dense.rawValue)
                try w.u16(d.inputs, "dense inputs"); try w.u16(d.outputs, "dense outputs")
                w.u8(Self.code(d.activation))
            case .convolution(let c):
                w.u8(LayerKind.convolution.rawValue)
                try w.u16(c.inChannels, "input channels"); try w.u16(c.outChannels, "output channels")
                try w.u8(c.kernelHeight, "kernel height"); try w.u8(c.kernelWidth, "kernel width")
                try w.u8(c.strideY, "stride"); try w.u8(c.strideX, "stride")
                for p in [c.padding.top, c.padding.left, c.padding.bottom, c.padding.right] { try w.u8(p, "padding") }
                try w.u16(c.groups, "groups")
                w.u8(Self.code(c.activation))
            case .averagePool:
                w.u8(LayerKind.averagePool.rawValue)
            }
        }
        w.f32(compiled.frameFullScale)
        try w.u16(compiled.matrices.count, "matrices")
        for m in compiled.matrices {
            switch m.role {
            case .gruGates(let n): w.u8(1); try w.u16(n, "layer")
            case .gruCandidate(let n): w.u8(2); try w.u16(n, "layer")
            case .matrix(let n): w.u8(3); try w.u16(n, "layer")
            }
            try w.u16(m.dataRows, "matrix rows"); try w.u16(m.inputReplicas, "input replicas")
            try w.u16(m.biasRows, "bias rows"); try w.u16(m.outputs, "matrix outputs")
            let name = Array(m.name.utf8.prefix(255))
            w.u8(UInt8(name.count))
            w.bytes += name
        }
        try w.u16(compiled.pieces.count, "pieces")
        for (p, readout) in zip(compiled.pieces, readouts) {
            try w.u16(p.matrix, "matrix"); try w.u16(p.tile, "tile")
            try w.u16(p.rowStart, "row start"); try w.u16(p.rowCount, "row count")
            try w.u16(p.columnStart, "column start"); try w.u16(p.columnCount, "column count")
            try w.u16(p.stuckOnPairsUsed, "stuck-on pairs")
            for r in p.physicalRows { try w.u16(r, "physical row") }
            for c in p.physicalColumns { try w.u16(c, "physical column") }
            try w.u32(p.digitalWeights.count, "digital weights")
            for d in p.digitalWeights {
                try w.u16(d.row, "digital row"); try w.u16(d.column, "digital column")
                w.f32(d.weight); w.f32(d.stuckOnSign); w.f64(d.codesPerFullWeight)
            }
            w.i32(readout.inputCodeMax); w.i32(readout.outputCodeMax)
            try w.u16(readout.weightUnitsPerOutputCode.count, "readout columns")
            for x in readout.weightUnitsPerOutputCode { w.f64(x) }
        }
        return w.bytes
    }

    // MARK: Decoding

    /// The program in `bytes`, checked against itself and against `geometry`
    /// (the chip that is to run it).
    public static func decode(_ bytes: [UInt8], for geometry: CIMGeometry) throws(HALError) -> OnChipProgram {
        var r = ProgramReader(bytes: bytes)
        guard try r.u32() == magic else { throw r.error("not a program (no CIMP magic)") }
        let format = try r.u8()
        guard format == formatVersion else { throw r.error("format \(format); this sequencer runs format \(formatVersion)") }
        _ = try r.u8()
        let g = CIMGeometry(tiles: try r.int16(), rows: try r.int16(), columns: try r.int16(), dacBits: Int(try r.u8()),
                            adcBits: Int(try r.u8()), weightBits: Int(try r.u8()), columnsPerADC: try r.int16())
        guard g == geometry else { throw r.error("compiled for \(g), but the chip is \(geometry)") }
        // No shape may ask for more weights than the chip has cells: the
        // sequencer allocates for them, and a damaged size must not run it out of memory.
        let cells = geometry.tiles * geometry.rows * geometry.columns
        func fits(_ weights: Int, _ what: String) throws(HALError) {
            guard weights <= cells else { throw r.error("\(what) of \(weights) weights; the chip holds \(cells)") }
        }
        let frameSize = try r.int16(), fixed = try r.int16(), softmax = try r.u8() != 0
        let layerCount = try r.int16()
        var layers: [Layer] = []
        /// A layer's own checks, as a program error at this offset.
        func layer(_ make: () throws(ModelError) -> Layer) throws(HALError) -> Layer {
            do { return try make() } catch { throw r.error("layer \(layers.count): \(error)") }
        }
        for _ in 0..<layerCount {
            let kind = try r.u8()
            switch LayerKind(rawValue: kind) {
            case .recurrent:
                let i = try r.int16(), h = try r.int16(), flags = try r.u8(), length = try r.int16()
                try fits(3 * h * (i + h), "a GRU")
                var state: [Float] = []
                for _ in 0..<h { state.append(try r.f32()) }
                layers.append(try layer { () throws(ModelError) in .recurrent(try GRULayer(
                    inputSize: i, hiddenSize: h, w: zeros(3 * h * i), r: zeros(3 * h * h), wb: zeros(3 * h), rb: zeros(3 * h),
                    linearBeforeReset: flags & 1 != 0, initialState: state, sequenceLength: length == 0 ? nil : length,
                    reverse: flags & 2 != 0)) })
            case .dense:
                let i = try r.int16(), o = try r.int16(), activation = try r.activation()
                try fits(i * o, "a dense layer")
                layers.append(try layer { () throws(ModelError) in
                    .dense(try DenseLayer(inputs: i, outputs: o, w: zeros(i * o), b: zeros(o), activation: activation))
                })
            case .convolution:
                let inC = try r.int16(), outC = try r.int16()
                let kh = Int(try r.u8()), kw = Int(try r.u8()), sy = Int(try r.u8()), sx = Int(try r.u8())
                let padding = ConvolutionLayer.Padding(top: Int(try r.u8()), left: Int(try r.u8()), bottom: Int(try r.u8()),
                                                       right: Int(try r.u8()))
                let groups = try r.int16(), activation = try r.activation()
                guard groups > 0 else { throw r.error("convolution groups 0") }
                try fits(outC * (inC / groups) * kh * kw, "a convolution")
                layers.append(try layer { () throws(ModelError) in .convolution(try ConvolutionLayer(
                    inChannels: inC, outChannels: outC, kernelHeight: kh, kernelWidth: kw, strideY: sy, strideX: sx, padding: padding,
                    groups: groups, w: zeros(outC * (inC / groups) * kh * kw), b: zeros(outC), activation: activation)) })
            case .averagePool:
                layers.append(.averagePool)
            case nil:
                throw r.error("layer kind \(kind)")
            }
        }
        let model: NeuralNetwork
        do { model = try NeuralNetwork(frameSize: frameSize, fixedFrames: fixed == 0 ? nil : fixed, layers: layers, softmax: softmax) } catch {
            throw r.error("the network: \(error)")
        }
        let fullScale = try r.f32()
        guard fullScale.isFinite, fullScale > 0 else { throw r.error("input full scale \(fullScale)") }
        var matrices: [CrossbarMatrix] = []
        var matrixCells = 0
        for _ in 0..<(try r.int16()) {
            let roleCode = try r.u8(), layer = try r.int16()
            guard layer < layers.count else { throw r.error("matrix for layer \(layer) of \(layers.count)") }
            let role: CrossbarMatrix.Role
            switch roleCode {
            case 1: role = .gruGates(layer: layer)
            case 2: role = .gruCandidate(layer: layer)
            case 3: role = .matrix(layer: layer)
            default: throw r.error("matrix role \(roleCode)")
            }
            let dataRows = try r.int16(), replicas = try r.int16(), biasRows = try r.int16(), outputs = try r.int16()
            guard dataRows > 0, replicas > 0, outputs > 0 else { throw r.error("matrix of \(dataRows) rows, \(outputs) outputs") }
            matrixCells += (dataRows + biasRows) * outputs
            try fits(matrixCells, "matrices")
            let name = String(decoding: try r.take(Int(try r.u8())), as: UTF8.self)
            matrices.append(CrossbarMatrix(name: name, role: role, dataRows: dataRows, inputReplicas: replicas, biasRows: biasRows,
                                           outputs: outputs))
        }
        var pieces: [TilePiece] = [], readouts: [TileReadout] = []
        for _ in 0..<(try r.int16()) {
            let m = try r.int16(), tile = try r.int16()
            guard m < matrices.count, tile < geometry.tiles else { throw r.error("piece of matrix \(m) on tile \(tile)") }
            var p = TilePiece(matrix: m, tile: tile, rowStart: try r.int16(), rowCount: try r.int16(), columnStart: try r.int16(),
                              columnCount: try r.int16())
            guard p.rowCount > 0, p.columnCount > 0, p.rowStart + p.rowCount <= matrices[m].rows,
                  p.columnStart + p.columnCount <= matrices[m].outputs else {
                throw r.error("piece rows \(p.rowStart)+\(p.rowCount), columns \(p.columnStart)+\(p.columnCount) outside matrix \(m)")
            }
            p.stuckOnPairsUsed = try r.int16()
            p.physicalRows = try (0..<p.rowCount).map { _ throws(HALError) in try r.int16() }
            p.physicalColumns = try (0..<p.columnCount).map { _ throws(HALError) in try r.int16() }
            guard p.physicalRows.allSatisfy({ $0 < geometry.rows }), p.physicalColumns.allSatisfy({ $0 < geometry.columns }) else {
                throw r.error("piece on tile \(tile) places weights outside the \(geometry.rows)x\(geometry.columns) array")
            }
            let digitalCount = Int(try r.u32())
            guard digitalCount <= p.rowCount * p.columnCount else { throw r.error("\(digitalCount) digital weights in one piece") }
            for _ in 0..<digitalCount {
                let row = try r.int16(), column = try r.int16()
                guard row < p.rowCount, column < p.columnCount else { throw r.error("digital weight at (\(row), \(column)) outside its piece") }
                p.digitalWeights.append(.init(row: row, column: column, weight: try r.f32(), stuckOnSign: try r.f32(),
                                              codesPerFullWeight: try r.f64()))
            }
            pieces.append(p)
            let inputMax = try r.i32(), outputMax = try r.i32()
            let perCode = try (0..<(try r.int16())).map { _ throws(HALError) in try r.f64() }
            guard inputMax > 0, perCode.count > (p.physicalColumns.max() ?? 0) else {
                throw r.error("tile \(tile)'s readout covers \(perCode.count) columns with input code max \(inputMax)")
            }
            readouts.append(TileReadout(inputCodeMax: inputMax, outputCodeMax: outputMax, weightUnitsPerOutputCode: perCode))
        }
        guard r.isAtEnd else { throw r.error("\(bytes.count - r.offset) bytes after the last piece") }
        try checkMatrices(matrices, of: model)
        let compiled = CompiledModel(model: model, geometry: geometry, frameFullScale: fullScale, matrices: matrices, pieces: pieces)
        return try OnChipProgram(compiled: compiled, readouts: readouts)
    }

    /// Each layer has the matrices the compiler gives a layer of its kind,
    /// shaped as the layer needs, and no matrix belongs to anything else:
    /// the runtime then finds every product it asks for, of the size it expects.
    static func checkMatrices(_ matrices: [CrossbarMatrix], of model: NeuralNetwork) throws(HALError) {
        func refuse(_ message: String) -> HALError { .invalidArgument("program: \(message)") }
        var expected: [CrossbarMatrix.Role: (rows: Int?, outputs: Int)] = [:]
        for (n, layer) in model.layers.enumerated() {
            switch layer {
            case .recurrent(let g):
                let h = g.hiddenSize
                // The gate matrix's input replicas are the compiler's choice: rows are replicas × input + h.
                expected[.gruGates(layer: n)] = (nil, g.linearBeforeReset ? 4 * h : 3 * h)
                if !g.linearBeforeReset { expected[.gruCandidate(layer: n)] = (h, h) }
            case .dense, .convolution:
                if let block = MatrixBlock(layer) { expected[.matrix(layer: n)] = (block.inputs, block.outputs) }
            case .averagePool:
                break
            }
        }
        guard matrices.count == expected.count, Set(matrices.map(\.role)).count == matrices.count else {
            throw refuse("\(matrices.count) matrices for \(expected.count) products the layers need")
        }
        for m in matrices {
            guard let shape = expected[m.role] else { throw refuse("matrix \(m.name) belongs to no layer of its kind") }
            var rows = shape.rows ?? 0
            if case let .gruGates(n) = m.role, case let .recurrent(g) = model.layers[n] { rows = m.inputReplicas * g.inputSize + g.hiddenSize }
            guard m.dataRows == rows, m.outputs == shape.outputs else {
                throw refuse("matrix \(m.name) is \(m.dataRows)x\(m.outputs); its layer needs \(rows)x\(shape.outputs)")
            }
        }
    }

    private enum LayerKind: UInt8 {
        case recurrent = 1, dense = 2, convolution = 3, averagePool = 4
    }

    static func code(_ activation: Activation) -> UInt8 {
        UInt8(Activation.allCases.firstIndex(of: activation) ?? 0)
    }
}

private func zeros(_ count: Int) -> [Float] { [Float](repeating: 0, count: max(0, count)) }

/// Big-endian fields, each checked to fit.
private struct ProgramWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u8(_ v: Int, _ what: String) throws(HALError) {
        guard let x = UInt8(exactly: v) else { throw .invalidArgument("\(what) \(v) does not fit the program's 8-bit field") }
        bytes.append(x)
    }
    mutating func u16(_ v: Int, _ what: String) throws(HALError) {
        guard let x = UInt16(exactly: v) else { throw .invalidArgument("\(what) \(v) does not fit the program's 16-bit field") }
        bytes += [UInt8(x >> 8), UInt8(x & 0xFF)]
    }
    mutating func u32(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((v >> UInt32(s)) & 0xFF)) } }
    mutating func u32(_ v: Int, _ what: String) throws(HALError) {
        guard let x = UInt32(exactly: v) else { throw .invalidArgument("\(what) \(v) does not fit the program's 32-bit field") }
        u32(x)
    }
    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func f64(_ v: Double) { for s in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((v.bitPattern >> UInt64(s)) & 0xFF)) } }
}

/// Reads fields off the program's bytes; running past the end is an error naming the offset.
private struct ProgramReader {
    let bytes: [UInt8]
    var offset = 0

    var isAtEnd: Bool { offset == bytes.count }

    func error(_ message: String) -> HALError { .invalidArgument("program byte \(offset): \(message)") }

    mutating func take(_ n: Int) throws(HALError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= bytes.count - offset else { throw error("ends after \(bytes.count) bytes, \(n) more needed") }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    mutating func u8() throws(HALError) -> UInt8 { try take(1).first ?? 0 }
    mutating func int16() throws(HALError) -> Int { try take(2).reduce(0) { $0 << 8 | Int($1) } }
    mutating func u32() throws(HALError) -> UInt32 { try take(4).reduce(0) { $0 << 8 | UInt32($1) } }
    mutating func i32() throws(HALError) -> Int32 { Int32(bitPattern: try u32()) }
    mutating func f32() throws(HALError) -> Float { Float(bitPattern: try u32()) }
    mutating func f64() throws(HALError) -> Double { Double(bitPattern: try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }) }
    mutating func activation() throws(HALError) -> Activation {
        let code = try u8()
        guard Int(code) < Activation.allCases.count else { throw error("activation \(code)") }
        return Activation.allCases[Int(code)]
    }
}
