import BoardSupport
import CIMHAL
import CIMSimulator
import Foundation
import Testing
@testable import KWS

/// The program a chip's sequencer runs (`OnChipProgram`), the firmware that
/// runs it (`ProgramSequencer`), and the eval-board protocol's
/// program-and-run (1.4) end to end on an emulated board: the same bits as
/// the host-driven path, with one RUN per inference instead of a MULTIPLY
/// per tile product.
@Suite struct ProgramAndRunTests {
    static let repository = ONNXImportTests.repository

    static func image() throws -> KWSImage {
        try KWSImage.load(directory: repository.appendingPathComponent("firmware/kws-gru"))
    }

    static func clips(_ image: KWSImage, count: Int) throws -> [[Float]] {
        let set = try TestSet.load(directory: repository.appendingPathComponent("firmware/kws-gru/test"),
                                   normalisation: image.normalisation, classes: image.model.outputs)
        return set.clips.prefix(count).map(\.features)
    }

    /// The shipped model compiled for sim-rram-256's tiles, with a made-up readout per piece.
    static func program() throws -> OnChipProgram {
        let c = try BoardFile.loadSimulated(path: repository.appendingPathComponent("boards/sim-rram-256.toml").path)
        let compiled = try TileCompiler.compile(try image().model, for: c.geometry)
        let readouts = compiled.pieces.indices.map { n in
            TileReadout(inputCodeMax: 127, outputCodeMax: 31, weightUnitsPerOutputCode: (0..<256).map { 0.001 * Double($0 + n) })
        }
        return try OnChipProgram(compiled: compiled, readouts: readouts)
    }

    @Test func aProgramComesBackFromItsBytesAsItWent() throws {
        let program = try Self.program()
        let bytes = try program.encoded()
        let decoded = try OnChipProgram.decode(bytes, for: program.compiled.geometry)
        #expect(try decoded.encoded() == bytes)
        #expect(decoded.compiled.pieces == program.compiled.pieces)
        #expect(decoded.readouts == program.readouts)
        #expect(decoded.compiled.frameFullScale == program.compiled.frameFullScale)
        #expect(decoded.compiled.model.shapes == program.compiled.model.shapes)
        #expect(decoded.compiled.model.summary == program.compiled.model.summary)
        #expect(decoded.compiled.matrices.map(\.rows) == program.compiled.matrices.map(\.rows))
        #expect(decoded.compiled.matrices.map(\.role) == program.compiled.matrices.map(\.role))
        // The weights are in the tiles, not in the program.
        #expect(bytes.count < 20_000 && bytes.count < program.compiled.matrices.reduce(0) { $0 + $1.weights.count })
    }

    @Test func aDamagedProgramIsRefusedWithItsOffsetNeverRun() throws {
        let program = try Self.program()
        let geometry = program.compiled.geometry
        let bytes = try program.encoded()
        func refusal(_ damaged: [UInt8], for g: CIMGeometry = geometry) throws -> String {
            let error = try #require(throws: HALError.self) { try OnChipProgram.decode(damaged, for: g) }
            guard case let .invalidArgument(message) = error else { Issue.record("\(error)"); return "" }
            return message
        }
        for cut in stride(from: 0, to: bytes.count, by: 97) {
            #expect(try refusal(Array(bytes[..<cut])).hasPrefix("program byte"))
        }
        #expect(try refusal(bytes + [0]).contains("1 bytes after the last piece"))
        var magic = bytes
        magic[0] = 0
        #expect(try refusal(magic).contains("not a program"))
        var format = bytes
        format[4] = 2
        #expect(try refusal(format).contains("format 2"))
        var other = geometry
        other.tiles = 16
        #expect(try refusal(bytes, for: other).contains("compiled for"))
        var misplaced = program
        misplaced.compiled.pieces[0].tile = 100
        #expect(try refusal(try misplaced.encoded()).contains("on tile 100"))
    }

    /// Two chips in the same state: one classifies host-driven, the other
    /// runs the program of its own deployment on its sequencer.
    @Test func theSequencerGivesTheHostDrivenBits() throws {
        let c = try BoardFile.loadSimulated(path: Self.repository.appendingPathComponent("boards/sim-rram-256.toml").path)
        let image = try Self.image()
        let host = try SimulatedAccelerator(configuration: c), board = try SimulatedAccelerator(configuration: c)
        let hostDeployment = try ModelDeployment.deploy(image.model, on: host, policy: c.defaultPolicy, calibration: .referenceInputs(count: 32))
        let boardDeployment = try ModelDeployment.deploy(image.model, on: board, policy: c.defaultPolicy, calibration: .referenceInputs(count: 32))
        let sequencer = ProgramSequencer(accelerator: board)
        #expect(sequencer.frameSize == nil)
        let program = try OnChipProgram(compiled: boardDeployment.compiled, readouts: boardDeployment.runtime.programming.map(\.readout))
        try sequencer.load(program: try program.encoded())
        #expect(sequencer.frameSize == 10 && sequencer.outputCount == 12)
        for clip in try Self.clips(image, count: 4) {
            let a = try AcceleratorRuntimeTests.outputs({ try hostDeployment.runtime.classify($0, into: $1) }, frames: clip, count: 12)
            let b = try AcceleratorRuntimeTests.outputs({ try sequencer.run(features: $0, into: $1) }, frames: clip, count: 12)
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        }
        sequencer.unload()
        #expect(throws: HALError.self) {
            _ = try AcceleratorRuntimeTests.outputs({ try sequencer.run(features: $0, into: $1) }, frames: [Float](repeating: 0, count: 490), count: 12)
        }
    }

    /// Deploys the shipped model on a board file's board, as `cimfw` does.
    static func deployed(_ file: String) throws -> (Board, ModelDeployment) {
        guard case var .hardware(c) = try BoardFile.load(path: repository.appendingPathComponent(file).path) else {
            throw HALError.invalidArgument("\(file) is not a hardware board")
        }
        c.simulation?.execution.bothModels = false
        let board = try Board.open(.hardware(c))
        let deployment = try ModelDeployment.deploy(try image().model, on: board.accelerator, policy: board.programmingPolicy,
                                                    calibration: board.calibrationMethod)
        return (board, deployment)
    }

    @Test func anEvalBoardWithASequencerRunsEachInferenceOnItWithTheHostDrivenBits() throws {
        let (plain, hostDriven) = try Self.deployed("boards/virtual-eval.toml")
        let (sequenced, onChip) = try Self.deployed("boards/on-chip/virtual-eval.toml")
        // Negotiated: only the board whose macro sequences on chip reports a sequencer.
        #expect((plain.accelerator as? RemoteProgramRunner)?.programFormat == nil && !hostDriven.runtime.runsOnRemoteSequencer)
        #expect((sequenced.accelerator as? RemoteProgramRunner)?.programFormat == OnChipProgram.formatVersion)
        #expect(onChip.runtime.runsOnRemoteSequencer)
        for clip in try Self.clips(try Self.image(), count: 3) {
            let plainStart = plain.clock.now(), sequencedStart = sequenced.clock.now()
            let a = try AcceleratorRuntimeTests.outputs({ try hostDriven.runtime.classify($0, into: $1) }, frames: clip, count: 12)
            let b = try AcceleratorRuntimeTests.outputs({ try onChip.runtime.classify($0, into: $1) }, frames: clip, count: 12)
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
            // One RUN instead of 148 multiplies over the bus.
            #expect(sequenced.clock.now() - sequencedStart < (plain.clock.now() - plainStart) / 5)
        }
        // A reset clears the sequencer's memory: the host loads the program again before the next run.
        try sequenced.accelerator.reset()
        let clip = try Self.clips(try Self.image(), count: 1)[0]
        let again = try AcceleratorRuntimeTests.outputs({ try onChip.runtime.classify($0, into: $1) }, frames: clip, count: 12)
        #expect(again.allSatisfy(\.isFinite) && abs(again.reduce(0, +) - 1) < 1e-3)
    }

    @Test func aBoardRefusesWhatItCannotRun() throws {
        let (plain, _) = try Self.deployed("boards/virtual-eval.toml")
        let runner = try #require(plain.accelerator as? RemoteProgramRunner)
        let noSequencer = try #require(throws: HALError.self) { try runner.load(program: [1, 2, 3]) }
        guard case .unsupported = noSequencer else { Issue.record("\(noSequencer)"); return }
        let (sequenced, _) = try Self.deployed("boards/on-chip/virtual-eval.toml")
        let board = try #require(sequenced.accelerator as? RemoteProgramRunner)
        // The board's sequencer decodes the bytes and refuses them, naming where they went wrong.
        let damaged = try #require(throws: HALError.self) { try board.load(program: [0x43, 0x49, 0x4D, 0x50, 9]) }
        guard case let .invalidArgument(message) = damaged else { Issue.record("\(damaged)"); return }
        #expect(message.contains("load the program") && message.contains("program byte"), "\(message)")
        var out = [Float](repeating: 0, count: 12)
        let features = [Float](repeating: 0, count: 490)
        let unloaded = try #require(throws: HALError.self) {
            try features.withUnsafeBufferPointer { f in try out.withUnsafeMutableBufferPointer { try board.run(features: f, frames: 49, into: $0) } }
        }
        guard case .invalidArgument = unloaded else { Issue.record("\(unloaded)"); return }
    }
}
