#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Catches a task that runs too long or never returns.
///
/// The loop kicks it after every task. On a virtual clock a task cannot
/// hang the host, only take too long on the board clock, so `check` after
/// each task is enough. On a real board a hung task never returns to be
/// checked: `startMonitor` runs a thread on CLOCK_MONOTONIC that calls its
/// handler when no kick arrives within the timeout — the firmware's handler
/// logs and exits with a distinct status, as a hardware watchdog resets.
final class Watchdog: @unchecked Sendable {
    let timeoutSeconds: Double
    /// Monotonic nanoseconds of the last kick, shared with the monitor thread.
    private let lastKick = Atomic<UInt64>(0)
    private let running = Atomic<Bool>(false)
    private var thread: Thread?

    init(timeoutSeconds: Double) {
        self.timeoutSeconds = timeoutSeconds
        lastKick.store(Self.monotonicNanoseconds(), ordering: .relaxed)
    }

    func kick() { lastKick.store(Self.monotonicNanoseconds(), ordering: .relaxed) }

    /// Whether a task that took `runSeconds` on the board clock overran the timeout.
    func expired(runSeconds: Double) -> Bool { runSeconds > timeoutSeconds }

    /// Starts the monitor thread; it polls at a quarter of the timeout.
    func startMonitor(onExpiry: @escaping @Sendable (Double) -> Void) {
        guard !running.exchange(true, ordering: .relaxed) else { return }
        kick()
        let timeout = timeoutSeconds
        let t = Thread { [self] in
            while running.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: timeout / 4)
                let silent = Double(Self.monotonicNanoseconds() &- lastKick.load(ordering: .relaxed)) * 1e-9
                if silent > timeout && running.load(ordering: .relaxed) {
                    onExpiry(silent)
                    kick()
                }
            }
        }
        t.name = "cimfw-watchdog"
        thread = t
        t.start()
    }

    func stopMonitor() { running.store(false, ordering: .relaxed) }

    static func monotonicNanoseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }
}
