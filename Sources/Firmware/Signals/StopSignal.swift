#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The signal number that asked the firmware to stop, 0 while none has.
/// Global because a signal handler cannot capture context; atomic because
/// the handler may run between any two instructions of the loop.
private let raisedSignal = Atomic<Int32>(0)

/// SIGINT and SIGTERM end the run cleanly: the handler only records the
/// signal; the loop sees it before its next task, finishes the log and
/// prints the summary. Installed without SA_RESTART, so a read blocked on
/// a microphone or stdin returns (EINTR) instead of waiting for more audio.
public enum StopSignal {
    public static func install() {
        for signal in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in raisedSignal.store(number, ordering: .relaxed) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
        // A parent may hand down a mask that blocks them (a test runner's
        // worker thread, some supervisors): a blocked SIGTERM would stay
        // pending and the firmware would never stop.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    public static var isRaised: Bool { raisedSignal.load(ordering: .relaxed) != 0 }

    /// "SIGINT" or "SIGTERM", when one arrived.
    public static var name: String? {
        switch raisedSignal.load(ordering: .relaxed) {
        case 0: return nil
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case let n: return "signal \(n)"
        }
    }

    /// For tests.
    public static func reset() { raisedSignal.store(0, ordering: .relaxed) }
}
