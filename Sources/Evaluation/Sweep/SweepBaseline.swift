import Foundation

/// The digital baseline a sweep's points share: the float model's
/// predictions and CPU time depend on the image, the clips and the budget,
/// not on the point, so the first point to need it measures it and writes
/// `DIR/baseline.json` (whole, by rename); the others read it. Two workers
/// racing both measure, and either file serves.
struct SweepBaseline: Codable {
    /// What the measurement depends on; a file with another key is measured again.
    var key: String
    var result: DigitalBaselineResult
    var predictions: [Int]

    static func key(of plan: SweepPlan, clips: Int) -> String {
        "firmware \(plan.firmware), \(clips) clips, budget \(plan.budget.rawValue)"
    }

    static func path(in directory: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent("baseline.json").path
    }

    static func shared(by plan: SweepPlan, in directory: String, evaluator: Evaluator,
                       progress: (String) -> Void) throws(EvaluationError) -> SweepBaseline {
        let key = key(of: plan, clips: evaluator.testSet.clips.count), path = path(in: directory)
        if let data = FileManager.default.contents(atPath: path),
           let stored = try? JSONDecoder().decode(SweepBaseline.self, from: data),
           stored.key == key, stored.predictions.count == evaluator.testSet.clips.count {
            return stored
        }
        progress("digital baseline: the float model on \(evaluator.testSet.clips.count) clips, CPU time per inference (shared by the points)")
        let (result, predictions) = try evaluator.baseline(host: "")
        let measured = SweepBaseline(key: key, result: result, predictions: predictions)
        // A baseline that cannot be kept is measured again by the next point; the point itself is unaffected.
        if let data = try? JSONEncoder().encode(measured) {
            try? data.write(to: URL(fileURLWithPath: path), options: .atomic)
        }
        return measured
    }
}
