import Foundation

/// The digital baseline as the boards need it: measured on its own thread
/// while the boards are measured, and waited for only where a board's
/// figures compare with it (the accuracy gap, agreement, the verdict). The
/// float model's CPU time is thread CPU time, which other threads do not add to.
final class PendingBaseline: @unchecked Sendable {
    typealias Value = (result: DigitalBaselineResult, predictions: [Int])

    private let condition = NSCondition()
    private var outcome: Result<Value, EvaluationError>?

    init() {}

    init(_ value: Value) {
        outcome = .success(value)
    }

    /// Measures `measure()` on a new thread. `measure` may read what the
    /// board threads read (the image and clips, values never written), and
    /// nothing they write: that is what the unchecked box rests on.
    static func measuring(_ measure: @escaping () throws(EvaluationError) -> Value) -> PendingBaseline {
        struct Job: @unchecked Sendable { let measure: () throws(EvaluationError) -> Value }
        let pending = PendingBaseline(), job = Job(measure: measure)
        let thread = Thread {
            do throws(EvaluationError) { pending.fulfil(.success(try job.measure())) } catch { pending.fulfil(.failure(error)) }
        }
        thread.stackSize = 16 << 20
        thread.start()
        return pending
    }

    func fulfil(_ result: Result<Value, EvaluationError>) {
        condition.withLock {
            outcome = result
            condition.broadcast()
        }
    }

    /// The baseline, once measured; its failure, if it failed.
    func value() throws(EvaluationError) -> Value {
        let result = condition.withLock { () -> Result<Value, EvaluationError> in
            while outcome == nil { condition.wait() }
            return outcome ?? .failure(.invalidSetting("the digital baseline ended without a result"))
        }
        return try result.get()
    }
}
