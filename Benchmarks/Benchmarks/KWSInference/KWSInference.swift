import Benchmark
import BoardSupport
import CIMHAL
import Foundation
import KWS

/// One keyword-spotting inference as the firmware runs it: one second of
/// 16 kHz audio through the MFCC frontend and normalisation, 49 GRU steps
/// and the classifier — on boards/sim-rram-256.toml with every effect on
/// (deployed with the stuck-cell scan, write-verify and calibration), and
/// on the float reference runtime for comparison. Times are per inference;
/// the malloc count must be 0 after warm-up.
@MainActor
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        warmupIterations: 5,
        maxDuration: .seconds(10),
        maxIterations: 2_000)

    Benchmark("KWS inference, sim-rram-256 (all effects)") { benchmark, state in
        try state.run(benchmark, state.accelerator)
    } setup: {
        try InferenceState()
    }
    Benchmark("KWS frontend alone (MFCC of 1 s)") { benchmark, state in
        try state.samples.withUnsafeBufferPointer { x in
            try state.features.withUnsafeMutableBufferPointer { f in
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations { try state.frontend.compute(x, into: f) }
                benchmark.stopMeasurement()
            }
        }
    } setup: {
        try InferenceState()
    }
    Benchmark("KWS inference, float reference runtime") { benchmark, state in
        try state.run(benchmark, state.float)
    } setup: {
        try InferenceState()
    }
}

final class InferenceState {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let accelerator: KeywordSpotter
    let float: KeywordSpotter
    let samples: [Float]
    let frontend: MFCCFrontend
    var features = [Float](repeating: 0, count: 490)
    var probabilities = [Float](repeating: 0, count: 12)

    init() throws {
        let image = try KWSImage.load(directory: Self.repository.appendingPathComponent("firmware/kws-gru"))
        let board = try Board.open(try BoardFile.load(path: Self.repository.appendingPathComponent("boards/sim-rram-256.toml").path))
        let deployment = try ModelDeployment.deploy(image.model, on: board.accelerator, policy: board.programmingPolicy,
                                                    calibration: board.calibrationMethod)
        accelerator = try KeywordSpotter(backend: .accelerator(deployment.runtime), normalisation: image.normalisation)
        frontend = try MFCCFrontend()
        float = try KeywordSpotter(backend: .float(FloatRuntime(model: image.model)), normalisation: image.normalisation)
        // A keyword from the shipped test set.
        let test = Self.repository.appendingPathComponent("firmware/kws-gru/test/test-clean/yes")
        let first = try FileManager.default.contentsOfDirectory(atPath: test.path).filter { $0.hasSuffix(".wav") }.sorted()[0]
        samples = try AudioFile.read(path: test.appendingPathComponent(first).path).clip.samples
        probabilities = [Float](repeating: 0, count: image.model.outputs)
    }

    func run(_ benchmark: Benchmark, _ spotter: KeywordSpotter) throws {
        try samples.withUnsafeBufferPointer { x in
            try probabilities.withUnsafeMutableBufferPointer { p in
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    try spotter.classify(samples: x, into: p)
                }
                benchmark.stopMeasurement()
            }
        }
        blackHole(probabilities)
    }
}
