import CIMHAL
import Testing
@testable import Firmware

/// A clock tests drive: waits add to it, a task body can add to it too.
final class ManualClock {
    var seconds = 0.0
    var board: BoardClock { BoardClock(now: { self.seconds }, wait: { self.seconds += $0 }, isVirtual: true) }
}

@Suite("Cooperative scheduler")
struct SchedulerTests {
    @Test func aFiveMinuteTaskRuns288TimesInADayFromTimeZero() {
        let clock = ManualClock()
        let s = Scheduler(clock: clock.board)
        var times: [Double] = []
        let h = s.addTask("calibration", periodSeconds: 300) { times.append(clock.seconds) }
        s.run(untilSeconds: 86_400) { false }
        #expect(s.task(h).runs == 288)
        #expect(times.last == 86_100)
        #expect(clock.seconds == 86_400)
    }

    @Test func atTheSameDueTimeTheHigherPriorityRunsFirst() {
        let clock = ManualClock()
        let s = Scheduler(clock: clock.board)
        var order: [String] = []
        s.addTask("log", periodSeconds: 10, priority: 0) { order.append("log") }
        s.addTask("infer", periodSeconds: 10, priority: 5) { order.append("infer") }
        s.run(untilSeconds: 15) { false }
        #expect(order == ["infer", "log", "infer", "log"])
    }

    @Test func triggerMakesATaskDueNow() {
        let clock = ManualClock()
        let s = Scheduler(clock: clock.board)
        var calibrations: [Double] = []
        let calibrate = s.addTask("calibrate", periodSeconds: 300, firstDueSeconds: 300) { calibrations.append(clock.seconds) }
        s.addTask("monitor", periodSeconds: 10, firstDueSeconds: 10) { if clock.seconds == 50 { s.trigger(calibrate) } }
        s.run(untilSeconds: 400) { false }
        #expect(calibrations == [50, 350])
    }

    @Test func aTaskThatRunsPastItsDeadlineIsCountedAndItsMissedPeriodsSkipped() {
        let clock = ManualClock()
        let s = Scheduler(clock: clock.board)
        var overruns: [Scheduler.Overrun] = []
        s.onOverrun = { overruns.append($0) }
        var runs = 0
        let h = s.addTask("infer", periodSeconds: 1, deadlineSeconds: 0.5) {
            runs += 1
            clock.seconds += runs == 3 ? 3.2 : 0.1  // the third run hangs for 3.2 s
        }
        s.run(untilSeconds: 10) { false }
        #expect(overruns.count == 1)
        #expect(overruns.first?.runSeconds == 3.2)
        #expect(s.task(h).deadlineMisses == 1)
        #expect(s.task(h).skippedPeriods == 3)
        #expect(s.task(h).runs == 7)
    }

    @Test func shouldStopEndsTheLoopBeforeTheNextTask() {
        let clock = ManualClock()
        let s = Scheduler(clock: clock.board)
        var runs = 0
        s.addTask("infer", periodSeconds: 1) { runs += 1 }
        s.run(untilSeconds: nil) { runs == 4 }
        #expect(runs == 4)
    }
}

@Suite("Watchdog")
struct WatchdogTests {
    @Test func aTaskLongerThanTheTimeoutOnTheBoardClockHasExpired() {
        let w = Watchdog(timeoutSeconds: 2)
        #expect(!w.expired(runSeconds: 1.9))
        #expect(w.expired(runSeconds: 2.1))
    }

    /// A hung task on a real clock: the monitor thread fires; kicked, it does not.
    /// Synchronous on purpose: an async test's sleeps wait for a free pool
    /// thread, which long synchronous tests running alongside can hold for minutes.
    @Test func theMonitorThreadFiresWhenNoKickArrives() {
        let fired = Fired()
        let w = Watchdog(timeoutSeconds: 0.05)
        w.startMonitor { _ in fired.set() }
        let deadline = Watchdog.monotonicNanoseconds() + 5_000_000_000
        while !fired.value && Watchdog.monotonicNanoseconds() < deadline { usleep(10_000) }
        w.stopMonitor()
        #expect(fired.value)
    }

    @Test func theMonitorThreadStaysQuietWhileKicked() {
        let fired = Fired()
        let w = Watchdog(timeoutSeconds: 10)
        w.startMonitor { _ in fired.set() }
        for _ in 0..<30 {
            w.kick()
            usleep(10_000)
        }
        w.stopMonitor()
        #expect(!fired.value)
    }
}

final class Fired: @unchecked Sendable {
    private var flag = false
    private let lock = NSLockish()
    func set() { lock.withLock { flag = true } }
    var value: Bool { lock.withLock { flag } }
}

import Foundation
typealias NSLockish = NSLock
