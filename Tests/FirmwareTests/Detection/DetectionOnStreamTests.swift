import Foundation
import KWS
import Testing
@testable import Firmware

/// The float model over the bundled stream (firmware/kws-gru/stream), 1 s
/// windows every 250 ms, scored against its labels. This is where the
/// recommended detection policy comes from: the probabilities are computed
/// once and every policy of a small grid is scored on them (printed), then
/// the recommended one is held to the bar measured when it was chosen.
@Suite("Detection on the bundled stream", .serialized)
struct DetectionOnStreamTests {
    static let hopSamples = 4_000

    /// Class probabilities per window and the window's end (stream seconds).
    static func probabilities() throws -> (labels: [String], windows: [(endSeconds: Double, p: [Float])]) {
        let image = try KWSImage.load(directory: Repository.image)
        let spotter = try KeywordSpotter(backend: .float(FloatRuntime(model: image.model)), normalisation: image.normalisation)
        let source = try AudioFileSource(path: Repository.stream)
        let window = SlidingWindow(windowSamples: spotter.samplesPerInference, hopSamples: hopSamples)
        var out: [(Double, [Float])] = []
        var p = [Float](repeating: 0, count: image.labels.count)
        while try window.advance(from: source) {
            try p.withUnsafeMutableBufferPointer { try spotter.classify(samples: window.samples, into: $0) }
            out.append((window.endSeconds, p))
        }
        return (image.labels, out)
    }

    static func detect(_ labels: [String], _ windows: [(endSeconds: Double, p: [Float])], _ policy: DetectionPolicy) throws -> [Detection] {
        let smoother = DetectionSmoother(labels: labels, policy: policy)
        var detections: [Detection] = []
        for w in windows {
            if let d = try w.p.withUnsafeBufferPointer({ b throws(DetectionError) in try smoother.observe(b, streamSeconds: w.endSeconds) }) {
                detections.append(d)
            }
        }
        return detections
    }

    @Test func theFloatModelFindsTheKeywordsWithFewFalseAlarms() throws {
        let labels = try #require(try StreamLabels.load(besides: Repository.stream))
        let (classes, windows) = try Self.probabilities()
        let streamSeconds = try #require(windows.last).endSeconds
        #expect(windows.count == Int((labels.duration_s * 16_000 - 16_000) / Double(Self.hopSamples)) + 1)

        print("policy (threshold, windows, refractory s) -> found/keywords, wrong word, false alarms")
        for threshold in [0.5, 0.6, 0.7, 0.8] {
            for smoothing in [1, 2, 3] {
                let policy = DetectionPolicy(threshold: threshold, windows: smoothing, refractorySeconds: 1)
                let score = StreamScore(labels: labels, detections: try Self.detect(classes, windows, policy), streamSeconds: streamSeconds)
                print("  \(threshold) \(smoothing) 1.0 -> \(score.found)/\(score.keywords), \(score.wrongWord), \(score.falseAlarms)")
            }
        }

        let detections = try Self.detect(classes, windows, .recommended)
        let score = StreamScore(labels: labels, detections: detections, streamSeconds: streamSeconds)
        print("recommended \(DetectionPolicy.recommended): found \(score.found) of \(score.keywords) (\(Int(score.recall * 100))%), wrong word \(score.wrongWord), false alarms \(score.falseAlarms)")
        for d in detections { print(DetectionFormatter.text(d)) }
        // What was missed, and how close the model came in the windows that hold it.
        for event in labels.events where event.keyword {
            let late = event.end_s + 1.25
            guard !detections.contains(where: { $0.keyword == event.word && $0.streamSeconds >= event.start_s && $0.streamSeconds <= late }),
                  let k = classes.firstIndex(of: event.word) else { continue }
            let peak = windows.filter { $0.endSeconds >= event.start_s && $0.endSeconds <= late }.map { $0.p[k] }.max() ?? 0
            print("missed \(event.word) at \(event.start_s) s (\(event.voice ?? "?")): its largest window probability \(peak)")
        }
        #expect(score.keywords == labels.events.filter(\.keyword).count)
        #expect(score.recall >= 0.9, "found \(score.found) of \(score.keywords)")
        #expect(score.wrongWord + score.falseAlarms <= 2)
    }
}
