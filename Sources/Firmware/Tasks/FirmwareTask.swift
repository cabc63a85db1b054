/// One periodic job of the run loop (inference, calibration, monitor, energy
/// log, accuracy probe): its schedule, and a body that works on the run's
/// shared `RunContext`. A task keeps its own state; what several tasks read
/// or the summary reports lives in the context.
protocol FirmwareTask: AnyObject {
    var name: String { get }
    var periodSeconds: Double { get }
    /// Board seconds after the run starts that it first runs; nil: at once.
    var firstDueAfterSeconds: Double? { get }
    /// Which task runs first when two are due together (higher first).
    var priority: Int { get }
    func run(in context: RunContext)
}

extension Scheduler {
    /// Adds `task` to run in `context`, timed from the run's start.
    @discardableResult
    func add(_ task: some FirmwareTask, in context: RunContext) -> Handle {
        addTask(task.name, periodSeconds: task.periodSeconds,
                firstDueSeconds: task.firstDueAfterSeconds.map { context.startSeconds + $0 },
                priority: task.priority) { task.run(in: context) }
    }
}
