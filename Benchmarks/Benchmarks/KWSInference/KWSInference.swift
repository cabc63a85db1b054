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
        timeUnits: .microseconds,
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
    // Accuracy over a test set: 16 clips' features, one at a time and as one
    // batch (each tile product one batched MVM). Times are per 16 inferences.
    Benchmark("KWS 16 clips one at a time, sim-rram-256 (features in)") { benchmark, state in
        try state.runClips(benchmark, batched: false)
    } setup: {
        try InferenceState()
    }
    Benchmark("KWS 16 clips as one batch, sim-rram-256 (features in)") { benchmark, state in
        try state.runClips(benchmark, batched: true)
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
    /// The first 16 clips of the shipped test set, normalised features one after the other.
    let clipFeatures: [Float]
    static let clips = 16
    var clipProbabilities: [Float]

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
        let set = try TestSet.load(directory: Self.repository.appendingPathComponent("firmware/kws-gru/test"),
                                   normalisation: image.normalisation, classes: image.model.outputs)
        clipFeatures = set.clips.prefix(Self.clips).flatMap(\.features)
        clipProbabilities = [Float](repeating: 0, count: Self.clips * image.model.outputs)
    }

    func runClips(_ benchmark: Benchmark, batched: Bool) throws {
        let values = clipFeatures.count / Self.clips, outputs = clipProbabilities.count / Self.clips
        try clipFeatures.withUnsafeBufferPointer { x in
            try clipProbabilities.withUnsafeMutableBufferPointer { p in
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    if batched {
                        try accelerator.classify(batch: x, clips: Self.clips, into: p)
                    } else {
                        for c in 0..<Self.clips {
                            try accelerator.classify(features: UnsafeBufferPointer(rebasing: x[(c * values)..<((c + 1) * values)]),
                                                     into: UnsafeMutableBufferPointer(rebasing: p[(c * outputs)..<((c + 1) * outputs)]))
                        }
                    }
                }
                benchmark.stopMeasurement()
            }
        }
        blackHole(clipProbabilities)
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
