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
final class Scheduler {
    struct Task {
        let name: String
        let periodSeconds: Double
        let deadlineSeconds: Double
        let priority: Int
        fileprivate let body: () -> Void
        fileprivate(set) var dueSeconds: Double
        fileprivate(set) var runs = 0
        fileprivate(set) var deadlineMisses = 0
        fileprivate(set) var skippedPeriods = 0
        fileprivate(set) var longestRunSeconds = 0.0
        fileprivate(set) var lastRunSeconds = 0.0
    }

    struct Handle: Hashable, Sendable { fileprivate let index: Int }

    /// A task that overran: which one, by how much (on the board clock).
    struct Overrun: Sendable {
        var task: String
        var dueSeconds: Double
        var finishedSeconds: Double
        var deadlineSeconds: Double
        var runSeconds: Double
    }

    let clock: BoardClock
    private(set) var tasks: [Task] = []
    /// Called after a task finishes past its deadline.
    var onOverrun: (Overrun) -> Void = { _ in }
    /// Called after every task (the watchdog's kick).
    var afterEachTask: (String, Double) -> Void = { _, _ in }

    init(clock: BoardClock) { self.clock = clock }

    @discardableResult
    func addTask(_ name: String, periodSeconds: Double, deadlineSeconds: Double? = nil, firstDueSeconds: Double? = nil,
                        priority: Int = 0, body: @escaping () -> Void) -> Handle {
        tasks.append(Task(name: name, periodSeconds: max(1e-6, periodSeconds), deadlineSeconds: deadlineSeconds ?? periodSeconds,
                          priority: priority, body: body, dueSeconds: firstDueSeconds ?? clock.now()))
        return Handle(index: tasks.count - 1)
    }

    /// Makes `task` due now (a recalibration forced by temperature, say).
    func trigger(_ task: Handle) {
        tasks[task.index].dueSeconds = min(tasks[task.index].dueSeconds, clock.now())
    }

    func task(_ handle: Handle) -> Task { tasks[handle.index] }

    /// Runs tasks until the clock reaches `untilSeconds` (if given) or
    /// `shouldStop` says so; `shouldStop` is asked before every task.
    func run(untilSeconds: Double?, shouldStop: () -> Bool) {
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
