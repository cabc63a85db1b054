import Foundation
import KWS

/// Boards measured at once, `jobs` threads taking the next board in turn.
///
/// Each board's evaluation touches only objects it made itself (its board,
/// runtime, simulator and random generators, opened by its own `open`); the
/// test set, image and baseline are values read and never written. That is
/// what the unchecked `Sendable` below rests on; the progress callback is the
/// one shared piece, and it is called under `lock`.
enum ParallelBoards {
    static func evaluate(_ boards: [BoardEvaluator], jobs: Int, testSet: TestSet, baseline: PendingBaseline,
                         progress: (Int, String) -> Void) throws(EvaluationError) -> [BoardEvaluation] {
        try withoutActuallyEscaping(progress) { (progress) throws(EvaluationError) -> [BoardEvaluation] in
            let shared = Shared(boards: boards, testSet: testSet, progress: progress, count: boards.count)
            let threads = min(jobs, boards.count)
            let done = DispatchGroup()
            for _ in 0..<threads {
                done.enter()
                let thread = Thread {
                    while let n = shared.nextBoard() {
                        let outcome: Result<BoardEvaluation, EvaluationError>
                        do throws(EvaluationError) {
                            outcome = .success(try shared.boards[n].evaluate(shared.testSet, baseline: baseline) { shared.report(n, $0) })
                        } catch {
                            outcome = .failure(error)
                        }
                        shared.finish(n, outcome)
                    }
                    done.leave()
                }
                // The simulator's buffers and a deep call stack: more than a secondary thread's default 512 KiB.
                thread.stackSize = 16 << 20
                thread.start()
            }
            done.wait()
            // The threads may outlive this call by a moment, holding `shared`; not the callback.
            shared.detachProgress()
            var results: [BoardEvaluation] = []
            for outcome in shared.outcomes {
                switch outcome {
                case .success(let r)?: results.append(r)
                case .failure(let e)?: throw e
                case nil: throw .invalidSetting("a board's evaluation ended without a result")
                }
            }
            return results
        }
    }

    private final class Shared: @unchecked Sendable {
        let boards: [BoardEvaluator]
        let testSet: TestSet
        private var progress: ((Int, String) -> Void)?
        private let lock = NSLock()
        private var next = 0
        private(set) var outcomes: [Result<BoardEvaluation, EvaluationError>?]

        init(boards: [BoardEvaluator], testSet: TestSet, progress: @escaping (Int, String) -> Void, count: Int) {
            self.boards = boards
            self.testSet = testSet
            self.progress = progress
            outcomes = Array(repeating: nil, count: count)
        }

        func nextBoard() -> Int? {
            lock.withLock {
                guard next < boards.count else { return nil }
                defer { next += 1 }
                return next
            }
        }

        func report(_ board: Int, _ message: String) { lock.withLock { progress?(board, message) } }

        func detachProgress() { lock.withLock { progress = nil } }

        func finish(_ board: Int, _ outcome: Result<BoardEvaluation, EvaluationError>) { lock.withLock { outcomes[board] = outcome } }
    }
}
