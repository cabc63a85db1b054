import Foundation
import Testing
@testable import Firmware

@Suite("Detection smoother")
struct DetectionSmootherTests {
    let labels = ["yes", "no", "unknown", "silence"]

    func observe(_ s: DetectionSmoother, _ p: [Float], at t: Double) throws -> Detection? {
        try p.withUnsafeBufferPointer { b throws(DetectionError) in try s.observe(b, streamSeconds: t) }
    }

    @Test func aKeywordAtTheThresholdFiresAndJustBelowItDoesNot() throws {
        let policy = DetectionPolicy(threshold: 0.7, windows: 1, refractorySeconds: 1)
        let below = DetectionSmoother(labels: labels, policy: policy)
        #expect(try observe(below, [0.69, 0.01, 0.2, 0.1], at: 1) == nil)
        let at = DetectionSmoother(labels: labels, policy: policy)
        let d = try #require(try observe(at, [0.75, 0.05, 0.1, 0.1], at: 1.25))
        #expect(d.keyword == "yes" && abs(d.confidence - 0.75) < 1e-6 && d.streamSeconds == 1.25)
        #expect(d.boardSeconds == 0 && d.latencySeconds == 0)
    }

    @Test func aSingleConfidentWindowIsDilutedByTheHistory() throws {
        let s = DetectionSmoother(labels: labels, policy: .init(threshold: 0.6, windows: 3, refractorySeconds: 10))
        #expect(try observe(s, [0, 0, 0, 1], at: 0.25) == nil)
        #expect(try observe(s, [0, 0, 0, 1], at: 0.5) == nil)
        #expect(try observe(s, [1, 0, 0, 0], at: 0.75) == nil)  // yes averages 1/3
        let d = try #require(try observe(s, [1, 0, 0, 0], at: 1.0))  // 2/3 against silence's 1/3
        #expect(d.keyword == "yes" && abs(d.confidence - 2.0 / 3) < 1e-9 && d.streamSeconds == 1.0)
    }

    @Test func theOldestWindowLeavesTheAverage() throws {
        // Windows 3: [silence, yes, yes] → yes 2/3; then [yes, yes, yes] → 1.
        let s = DetectionSmoother(labels: labels, policy: .init(threshold: 0.8, windows: 3, refractorySeconds: 10))
        #expect(try observe(s, [0, 0, 0, 1], at: 0.25) == nil)
        #expect(try observe(s, [1, 0, 0, 0], at: 0.5) == nil)   // 0.5
        #expect(try observe(s, [1, 0, 0, 0], at: 0.75) == nil)  // 2/3 < 0.8
        let d = try #require(try observe(s, [1, 0, 0, 0], at: 1.0))  // the silence window has left: 1.0
        #expect(d.keyword == "yes" && abs(d.confidence - 1) < 1e-9)
    }

    @Test func aKeywordAboveTheThresholdButNotTheLargestClassDoesNotFire() throws {
        let s = DetectionSmoother(labels: labels, policy: .init(threshold: 0.3, windows: 1, refractorySeconds: 0))
        #expect(try observe(s, [0.35, 0.0, 0.65, 0.0], at: 1) == nil)
        #expect(try observe(s, [0.35, 0.4, 0.25, 0.0], at: 2)?.keyword == "no")
    }

    @Test func theSameKeywordIsSilentForTheRefractoryTimeOthersAreNot() throws {
        let s = DetectionSmoother(labels: labels, policy: .init(threshold: 0.6, windows: 1, refractorySeconds: 1))
        #expect(try observe(s, [0.9, 0, 0, 0.1], at: 1.0)?.keyword == "yes")
        #expect(try observe(s, [0.9, 0, 0, 0.1], at: 1.75) == nil)
        #expect(try observe(s, [0, 0.9, 0, 0.1], at: 1.75)?.keyword == "no")
        #expect(try observe(s, [0.9, 0, 0, 0.1], at: 2.0)?.keyword == "yes")
    }

    @Test func nonKeywordClassesNeverFire() throws {
        let s = DetectionSmoother(labels: labels, policy: .init(threshold: 0.1, windows: 1, refractorySeconds: 0))
        for t in 1...4 {
            #expect(try observe(s, [0, 0, 1, 0], at: Double(t)) == nil)
            #expect(try observe(s, [0, 0, 0, 1], at: Double(t) + 0.5) == nil)
        }
        // A policy can narrow the keywords further.
        let onlyNo = DetectionSmoother(labels: labels, policy: .init(threshold: 0.5, windows: 1, refractorySeconds: 0, keywords: ["no"]))
        #expect(try observe(onlyNo, [1, 0, 0, 0], at: 1) == nil)
        #expect(try observe(onlyNo, [0, 1, 0, 0], at: 2)?.keyword == "no")
    }

    @Test func resetForgetsHistoryAndRefractoryTimes() throws {
        let s = DetectionSmoother(labels: labels, policy: .init(threshold: 0.6, windows: 2, refractorySeconds: 5))
        #expect(try observe(s, [1, 0, 0, 0], at: 1) != nil)
        s.reset()
        #expect(try observe(s, [1, 0, 0, 0], at: 2)?.keyword == "yes")
    }

    @Test func aWindowWithTheWrongNumberOfClassesIsAnError() {
        let s = DetectionSmoother(labels: labels, policy: .recommended)
        let error = #expect(throws: DetectionError.self) { _ = try observe(s, [1, 0, 0], at: 1) }
        #expect(error?.message.contains("3 class probabilities; the labels name 4") ?? false)
    }
}
