import BoardSupport
import CIMHAL
import CIMSimulator
import Foundation
import Testing
@testable import KWS

/// Many clips through the model together: every tile product one batched
/// MVM for the whole batch, each clip's arithmetic that of a batch of one.
@Suite struct BatchedInferenceTests {
    static func frames(_ clips: Int, frames: Int = 49, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<(clips * frames * 10)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 33) % 2001 - 1000) / 400
        }
    }

    /// Each clip classified alone, one after the other.
    static func oneByOne(_ runtime: AcceleratorRuntime, _ batch: [Float], clips: Int, outputs: Int) throws -> [Float] {
        let values = batch.count / clips
        var result: [Float] = []
        for c in 0..<clips {
            let clip = Array(batch[(c * values)..<((c + 1) * values)])
            result += try AcceleratorRuntimeTests.outputs({ try runtime.classify($0, into: $1) }, frames: clip, count: outputs)
        }
        return result
    }

    static func together(_ runtime: AcceleratorRuntime, _ batch: [Float], clips: Int, outputs: Int) throws -> [Float] {
        var out = [Float](repeating: 0, count: clips * outputs)
        try batch.withUnsafeBufferPointer { x in
            try out.withUnsafeMutableBufferPointer { try runtime.classify(batch: x, clips: clips, into: $0) }
        }
        return out
    }

    /// Rows split over tiles, both GRU forms (the reset product is its own
    /// batched MVM when linear_before_reset = 0), an odd batch (the
    /// simulator's pair kernel and its single-vector tail).
    @Test(arguments: [true, false])
    func aBatchGivesEachClipTheBitsOfClassifyingItAlone(linearBeforeReset: Bool) throws {
        let model = try TileCompilerTests.randomModel(hidden: 24, linearBeforeReset: linearBeforeReset, seed: 7)
        let alone = try ModelDeployment.deploy(model, on: try AcceleratorRuntimeTests.fineAccelerator(rows: 32, columns: 40, tiles: 32),
                                               policy: .singleShot, calibration: nil, faultScan: false)
        let batched = try ModelDeployment.deploy(model, on: try AcceleratorRuntimeTests.fineAccelerator(rows: 32, columns: 40, tiles: 32),
                                                 policy: .singleShot, calibration: nil, faultScan: false)
        let input = Self.frames(5, seed: 3)
        let expected = try Self.oneByOne(alone.runtime, input, clips: 5, outputs: 12)
        let got = try Self.together(batched.runtime, input, clips: 5, outputs: 12)
        #expect(got.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func aBatchOfConvolutionalClipsGivesTheirBitsAlone() throws {
        let model = try ConvolutionTests.dscnn()
        func deploy() throws -> ModelDeployment {
            try ModelDeployment.deploy(model, on: try AcceleratorRuntimeTests.fineAccelerator(rows: 256, columns: 256, tiles: 24),
                                       policy: .singleShot, calibration: nil, faultScan: false)
        }
        let input = Self.frames(3, seed: 9).map { $0 * 2 }
        let expected = try Self.oneByOne(try deploy().runtime, input, clips: 3, outputs: 12)
        let got = try Self.together(try deploy().runtime, input, clips: 3, outputs: 12)
        #expect(got.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    /// The shipped model on sim-rram-256 with its fixed imperfections
    /// (programming error, stuck cells, IR drop, converter mismatch, 6-bit
    /// ADC) and without the ones that change from read to read or with time
    /// (read noise, drift, temperature): a batch changes no bit.
    @Test func onTheRRAMPresetWithoutReadNoiseOrTimeABatchChangesNoBit() throws {
        let repository = ONNXImportTests.repository
        let image = try KWSImage.load(directory: repository.appendingPathComponent("firmware/kws-gru"))
        var c = try BoardFile.loadSimulated(path: repository.appendingPathComponent("boards/sim-rram-256.toml").path)
        c.readNoise = .off
        c.drift = .off
        c.temperature = .off
        func deploy() throws -> ModelDeployment {
            try ModelDeployment.deploy(image.model, on: try SimulatedAccelerator(configuration: c), policy: c.defaultPolicy,
                                       calibration: .referenceInputs(count: 64))
        }
        let set = try TestSet.load(directory: repository.appendingPathComponent("firmware/kws-gru/test"),
                                   normalisation: image.normalisation, classes: image.model.outputs)
        let input = set.clips.prefix(7).flatMap(\.features)
        let expected = try Self.oneByOne(try deploy().runtime, input, clips: 7, outputs: image.model.outputs)
        let got = try Self.together(try deploy().runtime, input, clips: 7, outputs: image.model.outputs)
        #expect(got.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    /// With read noise on, the clips of a batch draw the noise in another
    /// order than one after the other: other bits, the same accuracy within
    /// what noise moves, and one seed still reproduces a batched run exactly.
    @Test func withEveryEffectOnABatchDrawsOtherNoiseAndKeepsTheAccuracy() throws {
        let repository = ONNXImportTests.repository
        let image = try KWSImage.load(directory: repository.appendingPathComponent("firmware/kws-gru"))
        let set = try TestSet.load(directory: repository.appendingPathComponent("firmware/kws-gru/test"),
                                   normalisation: image.normalisation, classes: image.model.outputs)
        func spotter() throws -> KeywordSpotter {
            let board = try Board.open(try BoardFile.load(path: repository.appendingPathComponent("boards/sim-rram-256.toml").path))
            let deployment = try ModelDeployment.deploy(image.model, on: board.accelerator, policy: board.programmingPolicy,
                                                        calibration: board.calibrationMethod)
            return try KeywordSpotter(backend: .accelerator(deployment.runtime), normalisation: image.normalisation)
        }
        let alone = try spotter().predictions(set, batch: 1)
        let batched = try spotter().predictions(set, batch: 16)
        let again = try spotter().predictions(set, batch: 16)
        #expect(batched == again)
        let correct = { (p: [Int]) in zip(p, set.clips).filter { $0 == $1.classIndex }.count }
        // 240 clips: one clip is 0.42 points; sequential runs of other seeds spread by about 1 point.
        #expect(abs(correct(batched) - correct(alone)) <= 5, "one by one \(correct(alone)), batched \(correct(batched)) of \(set.clips.count)")
        #expect(zip(alone, batched).filter { $0 == $1 }.count >= set.clips.count * 95 / 100)
    }

    /// A test set's clips of different lengths: batches end where the length
    /// changes, and every clip gets the class it gets alone.
    @Test func predictionsBatchOnlyClipsOfEqualLength() throws {
        let model = try TileCompilerTests.randomModel(hidden: 24, seed: 5)
        let lengths = [49, 49, 49, 30, 30, 49, 49, 49, 49, 12]
        var clips: [TestSet.Clip] = []
        for (n, frames) in lengths.enumerated() {
            clips.append(TestSet.Clip(path: "clip\(n).wav", split: "test", classIndex: n % 12,
                                      features: Self.frames(1, frames: frames, seed: UInt64(n + 1))))
        }
        let set = TestSet(directory: URL(fileURLWithPath: "/nonexistent"), clips: clips)
        func spotter() throws -> KeywordSpotter {
            let deployment = try ModelDeployment.deploy(model, on: try AcceleratorRuntimeTests.fineAccelerator(rows: 32, columns: 40, tiles: 32),
                                                        policy: .singleShot, calibration: nil, faultScan: false)
            return try KeywordSpotter(backend: .accelerator(deployment.runtime), normalisation: try FeatureNormalisation(mean: Array(repeating: 0, count: 10), std: Array(repeating: 1, count: 10), labels: (0..<12).map { "class \($0)" }))
        }
        var micros: [Double] = []
        let batched = try spotter().predictions(set, batch: 4, hostMicroseconds: &micros)
        #expect(batched == (try spotter().predictions(set, batch: 1)))
        #expect(micros.count == lengths.count)
    }

    @Test func aBatchThatIsNotWholeClipsIsRefused() throws {
        let model = try TileCompilerTests.randomModel(hidden: 24, seed: 5)
        let deployment = try ModelDeployment.deploy(model, on: try AcceleratorRuntimeTests.fineAccelerator(rows: 32, columns: 40, tiles: 32),
                                                    policy: .singleShot, calibration: nil, faultScan: false)
        let input = Self.frames(3, seed: 1)
        #expect(throws: HALError.self) { try Self.together(deployment.runtime, Array(input.dropLast(10)), clips: 3, outputs: 12) }
        var short = [Float](repeating: 0, count: 12)
        #expect(throws: HALError.self) {
            try input.withUnsafeBufferPointer { x in
                try short.withUnsafeMutableBufferPointer { try deployment.runtime.classify(batch: x, clips: 3, into: $0) }
            }
        }
    }
}
