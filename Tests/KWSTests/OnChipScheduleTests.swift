import BoardSupport
import CIMHAL
import CIMSimulator
import Foundation
import Testing
@testable import KWS

/// The on-chip schedule on resources whose times are whole seconds (one
/// periphery lane at 1 Hz, bus and host link at 1 byte/s, 10 s per tile
/// multiply, no step cost), so each answer follows by hand from the
/// documented operation counts.
@Suite struct OnChipScheduleTests {
    static let sequencer = OnChipSequencer(peripheryLanes: 1, peripheryClockHertz: 1, peripheryJoulesPerOperation: 1,
                                           bufferJoulesPerByte: 1, busBytesPerSecond: 1, stepSeconds: 0, stepJoules: 100,
                                           replicatesWeights: true)

    static func plan(_ model: NeuralNetwork, frames: Int, tiles: Int = 4, rows: Int = 8, columns: Int = 8,
                     sequencer: OnChipSequencer = sequencer) throws -> (CompiledModel, OnChipSchedule) {
        let geometry = SimulatorConfiguration.ideal(rows: rows, columns: columns, tiles: tiles).geometry
        let compiled = try TileCompiler.compile(model, for: geometry)
        return (compiled, OnChipSchedule.plan(compiled, frames: frames, sequencer: sequencer, mvmSeconds: 10, hostLinkBytesPerSecond: 1))
    }

    static func dense(inputs: Int, outputs: Int) throws -> NeuralNetwork {
        let layer = try DenseLayer(inputs: inputs, outputs: outputs, w: (0..<(inputs * outputs)).map { Float($0 % 5) - 2 },
                                   b: [Float](repeating: 0, count: outputs))
        return try NeuralNetwork(frameSize: inputs, fixedFrames: 1, layers: [.dense(layer)], softmax: false)
    }

    /// Dense 4 → 3 on one tile: prepare 3 × 4 = 12, codes in 5 rows (4 data
    /// + 1 bias) and out 3 = 8 bytes, one multiply 10, finish 2 × 3 = 6: a
    /// step of 36 s; host link 4 bytes in and 3 × 2 out = 10 s.
    @Test func aSingleProductIsTheChainOfItsResources() throws {
        let (compiled, s) = try Self.plan(try Self.dense(inputs: 4, outputs: 3), frames: 1)
        #expect(compiled.pieces.count == 1 && compiled.matrices[0].rows == 5)
        #expect(s.hostLinkBytes == 10 && s.hostLinkSeconds == 10)
        #expect(s.busBytes == 8 && s.peripheryOperations == 18 && s.tileMultiplies == 1 && s.programSteps == 1)
        #expect(s.secondsPerInference == 46)
        #expect(s.arrayBusySeconds == 10 && s.peripheryBusySeconds == 18 && s.busBusySeconds == 8)
        #expect(s.peripheryJoules == 18 && s.bufferJoules == 8 && s.controlJoules == 100)
        // Four tiles hold four copies; the host link (10 s per inference) does not bind before 4 / 46.
        #expect(s.replicas == 4 && s.inferencesPerSecond == 4.0 / 46)
    }

    /// Dense 4 → 12 over two column blocks: both convert in the same 10 s;
    /// the arrays are busy 20 s. Prepare 12, bus 5 + 5 in and 12 out, finish
    /// 24: step 68; host 4 + 24 = 28: 96 s.
    @Test func piecesOfOneMatrixConvertAtOnce() throws {
        let (compiled, s) = try Self.plan(try Self.dense(inputs: 4, outputs: 12), frames: 1)
        #expect(compiled.pieces.count == 2)
        #expect(s.tileMultiplies == 2 && s.arrayBusySeconds == 20)
        #expect(s.secondsPerInference == 96)
        #expect(s.replicas == 2 && s.inferencesPerSecond == 2.0 / 96)
    }

    /// A 2 × 2 convolution of one channel into two on a 3 × 2 input padded
    /// left: four output positions, each a step of prepare 12, bus 5 + 2,
    /// multiply 10, finish 4 = 33 s; in a pipeline one position per beat of
    /// the busiest resource, the periphery's 16 s: 33 + 3 × 16 = 81; host
    /// 6 bytes in, 8 × 2 out: 103 s.
    @Test func independentPositionsArePipelined() throws {
        let conv = try ConvolutionLayer(inChannels: 1, outChannels: 2, kernelHeight: 2, kernelWidth: 2,
                                        padding: .init(left: 1), w: [1, 0, 0, -1, -1, 0, 0, 1], b: [0.5, 0.5])
        let model = try NeuralNetwork(frameSize: 2, fixedFrames: 3, layers: [.convolution(conv)], softmax: false)
        let (compiled, s) = try Self.plan(model, frames: 3)
        #expect(compiled.matrices[0].rows == 5 && model.applications(ofLayer: 0, frames: 3) == 4)
        #expect(s.tileMultiplies == 4 && s.programSteps == 4)
        #expect(s.secondsPerInference == 103)
    }

    /// A GRU's steps wait for each other: ten more frames add ten gate steps
    /// and ten frames of features on the host link, and nothing else.
    @Test(arguments: [true, false])
    func recurrentStepsFollowOneAnother(linearBeforeReset: Bool) throws {
        let model = try TileCompilerTests.randomModel(hidden: 24, linearBeforeReset: linearBeforeReset, seed: 7)
        let (compiled, ten) = try Self.plan(model, frames: 10, tiles: 32, rows: 32, columns: 40)
        let (_, twenty) = try Self.plan(model, frames: 20, tiles: 32, rows: 32, columns: 40)
        var perStep = 0.0
        for (m, matrix) in compiled.matrices.enumerated() where matrix.role != .matrix(layer: 1) {
            let pieces = compiled.pieces.filter { $0.matrix == m }
            let columns = pieces.reduce(0) { $0 + $1.columnCount }, rows = pieces.reduce(0) { $0 + $1.rowCount }
            let h = 24
            let gateWork = linearBeforeReset ? 3 * 2 * h + 2 * h + 3 * h + 3 * h
                : (matrix.role == .gruGates(layer: 0) ? 3 * 2 * h + h : h + 3 * h + 3 * h)
            perStep += Double(3 * matrix.dataRows) + Double(rows + columns) + 10 + Double(2 * columns + gateWork)
        }
        #expect(compiled.matrices.count == (linearBeforeReset ? 2 : 3))
        #expect(twenty.secondsPerInference - ten.secondsPerInference == 10 * perStep + 10 * 10)
        #expect(twenty.tileMultiplies - ten.tileMultiplies == 10 * compiled.pieces.filter { compiled.matrices[$0.matrix].role != .matrix(layer: 1) }.count)
    }

    @Test func withoutReplicationOneCopyRunsAndTheLinkCanBind() throws {
        var one = Self.sequencer
        one.replicatesWeights = false
        let (_, s) = try Self.plan(try Self.dense(inputs: 4, outputs: 3), frames: 1, sequencer: one)
        #expect(s.replicas == 1 && s.inferencesPerSecond == 1.0 / 46)
        // Forty tiles would hold forty copies, but the host link moves one inference's bytes per 10 s.
        let (_, many) = try Self.plan(try Self.dense(inputs: 4, outputs: 3), frames: 1, tiles: 40)
        #expect(many.replicas == 40 && many.inferencesPerSecond == 1.0 / 10)
    }

    /// On the shipped model and the RRAM preset: the host link carries the
    /// features and probabilities only, so an inference is far shorter than
    /// the host-driven one, where every tile MVM crosses the link.
    @Test func onTheRRAMPresetTheLinkCarriesOnlyFeaturesAndOutputs() throws {
        let repository = ONNXImportTests.repository
        let image = try KWSImage.load(directory: repository.appendingPathComponent("firmware/kws-gru"))
        let c = try BoardFile.loadSimulated(path: repository.appendingPathComponent("boards/sim-rram-256.toml").path)
        let chip = try SimulatedAccelerator(configuration: c)
        let compiled = try TileCompiler.compile(image.model, for: c.geometry)
        let frames = image.imported.frames
        let s = OnChipSchedule.plan(compiled, frames: frames, sequencer: c.execution.sequencer, mvmSeconds: chip.secondsPerMVM.array,
                                    hostLinkBytesPerSecond: c.energy.hostLinkBytesPerSecond)
        #expect(s.hostLinkBytes == frames * 10 + 12 * 2)
        #expect(s.tileMultiplies == compiled.tileMultipliesPerInference(frames: frames))
        let hostDriven = Double(s.tileMultiplies) * (chip.secondsPerMVM.array + chip.secondsPerMVM.hostLink)
        #expect(s.secondsPerInference < hostDriven / 10, "on chip \(s.secondsPerInference) s, host-driven \(hostDriven) s")
        #expect(s.replicas == c.tiles / compiled.tilesUsed)
    }
}

/// A board whose `[execution]` says "on_chip": the runtime brackets each
/// classification as one program, the chip books the schedule's time and
/// periphery, buffer and control energy instead of every multiply over the
/// host link, and the arithmetic is the host-driven board's.
@Suite struct OnChipExecutionTests {
    static func deployments() throws -> (hostDriven: ModelDeployment, onChip: ModelDeployment, image: KWSImage,
                                         hostChip: SimulatedAccelerator, onChipChip: SimulatedAccelerator) {
        let repository = ONNXImportTests.repository
        let image = try KWSImage.load(directory: repository.appendingPathComponent("firmware/kws-gru"))
        let c = try BoardFile.loadSimulated(path: repository.appendingPathComponent("boards/sim-rram-256.toml").path)
        var on = c
        on.execution.model = "on_chip"
        let hostChip = try SimulatedAccelerator(configuration: c), onChipChip = try SimulatedAccelerator(configuration: on)
        let host = try ModelDeployment.deploy(image.model, on: hostChip, policy: c.defaultPolicy, calibration: .referenceInputs(count: 32))
        let chip = try ModelDeployment.deploy(image.model, on: onChipChip, policy: c.defaultPolicy, calibration: .referenceInputs(count: 32))
        return (host, chip, image, hostChip, onChipChip)
    }

    @Test func onChipGivesTheHostDrivenBitsAndBooksTheSchedule() throws {
        let (host, chip, image, hostChip, onChipChip) = try Self.deployments()
        #expect(host.runtime.onChipSchedule(frames: 49) == nil)
        let schedule = try #require(chip.runtime.onChipSchedule(frames: 49))
        let set = try TestSet.load(directory: ONNXImportTests.repository.appendingPathComponent("firmware/kws-gru/test"),
                                   normalisation: image.normalisation, classes: image.model.outputs)
        for clip in set.clips.prefix(6) {
            let before = onChipChip.ledger, hostBefore = hostChip.ledger
            let a = try AcceleratorRuntimeTests.outputs({ try host.runtime.classify($0, into: $1) }, frames: clip.features, count: 12)
            let b = try AcceleratorRuntimeTests.outputs({ try chip.runtime.classify($0, into: $1) }, frames: clip.features, count: 12)
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
            let after = onChipChip.ledger
            // The clock's sum rounds at its own magnitude (seconds): a picosecond is far above that.
            #expect(abs(after.elapsedSeconds - before.elapsedSeconds - schedule.secondsPerInference) < 1e-12)
            // The program's digital side by component, in place of each multiply's buffers and command.
            let periphery = after.mvm.peripheryJoules - before.mvm.peripheryJoules
            let buffers = after.mvm.bufferJoules - before.mvm.bufferJoules
            let control = after.mvm.controlJoules - before.mvm.controlJoules
            #expect(abs(periphery - schedule.peripheryJoules) <= 1e-9 * periphery)
            #expect(abs(buffers - schedule.bufferJoules) <= 1e-9 * buffers)
            #expect(abs(control - schedule.controlJoules) <= 1e-9 * control && schedule.controlJoules == Double(schedule.programSteps) * 10e-12)
            // The same multiplies, without each one's command over the host link.
            #expect(after.mvmCount - before.mvmCount == hostChip.ledger.mvmCount - hostBefore.mvmCount)
            #expect(hostChip.ledger.elapsedSeconds - hostBefore.elapsedSeconds > 10 * schedule.secondsPerInference)
        }
    }

    /// A batch is one program: its clips overlap on the plan's copies, up to what the host link carries.
    @Test func aBatchTakesTheLongerOfOneLatencyAndTheBatchAtTheThroughput() throws {
        let (_, chip, _, _, onChipChip) = try Self.deployments()
        let schedule = try #require(chip.runtime.onChipSchedule(frames: 49))
        let frames = BatchedInferenceTests.frames(16, seed: 4)
        let before = onChipChip.ledger.elapsedSeconds
        _ = try BatchedInferenceTests.together(chip.runtime, frames, clips: 16, outputs: 12)
        let expected = max(schedule.secondsPerInference, 16 / schedule.inferencesPerSecond)
        #expect(abs(onChipChip.ledger.elapsedSeconds - before - expected) < 1e-12)
        #expect(schedule.replicas == 12 && expected < 16 * schedule.secondsPerInference)
    }
}
