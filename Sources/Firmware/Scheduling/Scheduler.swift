import CIMHAL

/// A cooperative scheduler of periodic tasks on a board clock.
///
/// Each turn takes the task due first (ties: the higher priority), waits on
/// the clock until it is due, runs it to completion and times it on the
/// same clock. A task that finishes after its deadline is counted as a
/// miss. The next run is one period after the due time; periods a task has
/// fallen wholly behind are skipped and counted, never run in a burst.
/// On a virtual clock the waits pass instantly, so a day of tasks runs in
/// the time their bodies take.
public final class Scheduler {
    public struct Task {
        public let name: String
        public let periodSeconds: Double
        public let deadlineSeconds: Double
        public let priority: Int
        fileprivate let body: () -> Void
        public fileprivate(set) var dueSeconds: Double
        public fileprivate(set) var runs = 0
        public fileprivate(set) var deadlineMisses = 0
        public fileprivate(set) var skippedPeriods = 0
        public fileprivate(set) var longestRunSeconds = 0.0
        public fileprivate(set) var lastRunSeconds = 0.0
    }

    public struct Handle: Hashable, Sendable { fileprivate let index: Int }

    /// A task that overran: which one, by how much (on the board clock).
    public struct Overrun: Sendable {
        public var task: String
        public var dueSeconds: Double
        public var finishedSeconds: Double
        public var deadlineSeconds: Double
        public var runSeconds: Double
    }

    public let clock: BoardClock
    public private(set) var tasks: [Task] = []
    /// Called after a task finishes past its deadline.
    public var onOverrun: (Overrun) -> Void = { _ in }
    /// Called after every task (the watchdog's kick).
    public var afterEachTask: (String, Double) -> Void = { _, _ in }

    public init(clock: BoardClock) { self.clock = clock }

    @discardableResult
    public func addTask(_ name: String, periodSeconds: Double, deadlineSeconds: Double? = nil, firstDueSeconds: Double? = nil,
                        priority: Int = 0, body: @escaping () -> Void) -> Handle {
        tasks.append(Task(name: name, periodSeconds: max(1e-6, periodSeconds), deadlineSeconds: deadlineSeconds ?? periodSeconds,
                          priority: priority, body: body, dueSeconds: firstDueSeconds ?? clock.now()))
        return Handle(index: tasks.count - 1)
    }

    /// Makes `task` due now (a recalibration forced by temperature, say).
    public func trigger(_ task: Handle) {
        tasks[task.index].dueSeconds = min(tasks[task.index].dueSeconds, clock.now())
    }

    public func task(_ handle: Handle) -> Task { tasks[handle.index] }

    /// Runs tasks until the clock reaches `untilSeconds` (if given) or
    /// `shouldStop` says so; `shouldStop` is asked before every task.
    public func run(untilSeconds: Double?, shouldStop: () -> Bool) {
        guard !tasks.isEmpty else { return }
        while !shouldStop() {
            var next = 0
            for k in 1..<tasks.count {
                let a = tasks[k], b = tasks[next]
                if a.dueSeconds < b.dueSeconds || (a.dueSeconds == b.dueSeconds && a.priority > b.priority) { next = k }
            }
            let due = tasks[next].dueSeconds
            if let untilSeconds, due >= untilSeconds {
                clock.wait(until: untilSeconds)
                return
            }
            clock.wait(until: due)
            if shouldStop() { return }
            let start = clock.now()
            tasks[next].body()
            let end = clock.now()
            var t = tasks[next]
            t.runs += 1
            t.lastRunSeconds = end - start
            t.longestRunSeconds = max(t.longestRunSeconds, end - start)
            if end > due + t.deadlineSeconds {
                t.deadlineMisses += 1
                onOverrun(Overrun(task: t.name, dueSeconds: due, finishedSeconds: end, deadlineSeconds: t.deadlineSeconds, runSeconds: end - start))
            }
            // The next due time after `end`, whole periods skipped.
            var nextDue = max(tasks[next].dueSeconds, due) + t.periodSeconds
            if nextDue <= end {
                let behind = Int(((end - nextDue) / t.periodSeconds).rounded(.down)) + 1
                t.skippedPeriods += behind
                nextDue += Double(behind) * t.periodSeconds
            }
            t.dueSeconds = nextDue
            tasks[next] = t
            afterEachTask(t.name, end - start)
        }
    }
}
