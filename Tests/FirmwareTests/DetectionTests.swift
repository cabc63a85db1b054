import Foundation
import Testing
@testable import Firmware

@Suite("Detection smoothing and stream scoring")
struct DetectionTests {
    let labels = ["yes", "no", "unknown", "silence"]

    func push(_ s: DetectionSmoother, _ p: [Float], at t: Double) -> (label: Int, confidence: Double)? {
        p.withUnsafeBufferPointer { s.push($0, streamSeconds: t) }
    }

    @Test func aKeywordFiresWhenItsSmoothedProbabilityCrossesTheThreshold() {
        let s = DetectionSmoother(labels: labels, policy: .init(threshold: 0.6, windows: 2, refractorySeconds: 1))
        #expect(push(s, [0.9, 0, 0, 0.1], at: 0.25) != nil)  // one window so far: its own probability
        let t = DetectionSmoother(labels: labels, policy: .init(threshold: 0.6, windows: 2, refractorySeconds: 1))
        #expect(push(t, [0.1, 0, 0, 0.9], at: 0.25) == nil)
        #expect(push(t, [0.9, 0, 0, 0.1], at: 0.5) == nil)  // mean 0.5
        let fired = push(t, [0.9, 0, 0, 0.1], at: 0.75)
        #expect(fired?.label == 0)
        #expect(abs((fired?.confidence ?? 0) - 0.9) < 1e-6)
    }

    @Test func theSameKeywordDoesNotFireAgainWithinTheRefractoryTime() {
        let s = DetectionSmoother(labels: labels, policy: .init(threshold: 0.6, windows: 1, refractorySeconds: 1))
        #expect(push(s, [0.9, 0, 0, 0.1], at: 1.0) != nil)
        #expect(push(s, [0.9, 0, 0, 0.1], at: 1.5) == nil)
        #expect(push(s, [0, 0.9, 0, 0.1], at: 1.75)?.label == 1)
        #expect(push(s, [0.9, 0, 0, 0.1], at: 2.0) != nil)
    }

    @Test func fillerClassesNeverFire() {
        let s = DetectionSmoother(labels: labels, policy: .init(threshold: 0.5, windows: 1, refractorySeconds: 0))
        #expect(push(s, [0, 0, 1, 0], at: 1) == nil)
        #expect(push(s, [0, 0, 0, 1], at: 2) == nil)
    }

    @Test func scoringMatchesDetectionsToLabelledKeywordsLoopByLoop() {
        let labels = StreamLabels(duration_s: 10, events: [
            .init(word: "yes", keyword: true, start_s: 1, end_s: 1.5),
            .init(word: "bird", keyword: false, start_s: 4, end_s: 4.5),
            .init(word: "no", keyword: true, start_s: 7, end_s: 7.5),
        ])
        func d(_ w: String, _ t: Double) -> Detection { Detection(keyword: w, confidence: 1, streamSeconds: t, boardSeconds: t, latencySeconds: 0) }
        let score = StreamScore(labels: labels, detections: [d("yes", 2), d("go", 4.8), d("yes", 8), d("yes", 11.9), d("no", 18.5)], streamSeconds: 19)
        #expect(score.keywords == 4)
        #expect(score.found == 3)  // yes, yes (loop 2), no (loop 2)
        #expect(score.wrongWord == 1)  // "yes" during the first "no"
        #expect(score.falseAlarms == 1)  // "go" over the bird
    }
}
