import BoardSupport
import Foundation
import KWS

/// The whole evaluation: the digital baseline once, then each board.
public struct Evaluator {
    public var image: KWSImage
    public var testSet: TestSet
    public var settings: EvaluationSettings

    public init(image: KWSImage, testSet: TestSet, settings: EvaluationSettings) throws(EvaluationError) {
        guard !testSet.clips.isEmpty else { throw .invalidSetting("the test set at \(testSet.directory.path) has no clips") }
        self.image = image
        self.settings = settings
        self.testSet = Self.subset(testSet, limit: settings.clipLimit)
    }

    /// Every k-th clip, so a reduced run keeps every split and class in proportion.
    static func subset(_ set: TestSet, limit: Int?) -> TestSet {
        guard let limit, limit > 0, limit < set.clips.count else { return set }
        var reduced = set
        reduced.clips = (0..<limit).map { set.clips[$0 * set.clips.count / limit] }
        return reduced
    }

    public func baseline(host: String) throws(EvaluationError) -> (DigitalBaselineResult, [Int]) {
        let float = try DigitalBaselineMeasurement.run(image, testSet, repeats: settings.quick ? 1 : 3)
        let cpuJoules = float.cpuSeconds * settings.cpuActiveWatts
        let result = DigitalBaselineResult(
            floatAccuracy: DeployedModel.accuracy(float.predictions, testSet), clips: testSet.clips.count,
            cpuModelJoulesPerInference: DigitalBaselineMeasurement.cpuModelJoules(image.model, frames: image.imported.frames),
            cpuModelSource: DigitalBaselineMeasurement.cpuModelSource,
            measuredCPUSecondsPerInference: float.cpuSeconds, referenceRuntimeCPUSecondsPerInference: float.referenceSeconds,
            cpuActiveWatts: settings.cpuActiveWatts,
            cpuWattsSource: settings.cpuActiveWatts == EvaluationSettings.raspberryPi4WattsPerCore
                ? EvaluationSettings.raspberryPi4WattsSource : "given with --cpu-watts",
            measuredCPUJoulesPerInference: cpuJoules, host: host)
        return (result, float.predictions)
    }

    /// Evaluates each board in turn; `progress` gets (board index, message).
    /// `measuredBaseline` is one `baseline(host:)` already took for this
    /// image, test set and settings (a sweep's points share it). With
    /// `jobs` > 1, that many boards are measured at once, each on its own
    /// thread (every board is its own set of objects; the image, clips and
    /// baseline are shared read-only), the baseline on one more beside them
    /// (boards wait for it only to compare), and `progress` is called under
    /// a lock. The report lists the boards in the order given, and the first
    /// failure in that order is the one thrown.
    public func run(boards: [BoardEvaluator], provenance: Provenance, measuredBaseline: (DigitalBaselineResult, [Int])? = nil,
                    jobs: Int = 1, progress: (Int, String) -> Void) throws(EvaluationError) -> EvaluationReport {
        let parallel = jobs > 1 && boards.count > 1
        let pending: PendingBaseline
        if let measuredBaseline {
            pending = PendingBaseline(measuredBaseline)
        } else {
            progress(-1, "digital baseline: the float model on \(testSet.clips.count) clips, CPU time per inference")
            if parallel {
                let evaluator = self, host = provenance.host
                pending = PendingBaseline.measuring { () throws(EvaluationError) in try evaluator.baseline(host: host) }
            } else {
                pending = PendingBaseline(try self.baseline(host: provenance.host))
            }
        }
        var results: [BoardEvaluation] = []
        if parallel {
            results = try ParallelBoards.evaluate(boards, jobs: jobs, testSet: testSet, baseline: pending, progress: progress)
        } else {
            for (n, evaluator) in boards.enumerated() {
                results.append(try evaluator.evaluate(testSet, baseline: pending) { progress(n, $0) })
            }
        }
        return EvaluationReport(provenance: provenance, settings: settings, baseline: try pending.value().result, boards: results)
    }
}
