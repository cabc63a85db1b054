import CIMHAL

/// Retrying what a bus can fail transiently, with exponential backoff on
/// the board's clock. Only errors a retry can cure are retried; an invalid
/// argument or an unsupported request fails at once.
struct BusRetry: Sendable, Hashable {
    var attempts: Int
    var initialBackoffSeconds: Double
    var maxBackoffSeconds: Double

    init(attempts: Int, initialBackoffSeconds: Double, maxBackoffSeconds: Double) {
        self.attempts = max(1, attempts)
        self.initialBackoffSeconds = initialBackoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
    }

    /// Whether `error` is a bus hiccup worth another try.
    static func isTransient(_ error: HALError) -> Bool {
        switch error {
        case .noAcknowledge, .timeout, .arbitrationLost, .busy, .io: return true
        case .invalidArgument, .unsupported: return false
        }
    }

    /// Runs `operation` until it succeeds, a non-transient error occurs, or
    /// the attempts are spent; `onRetry` hears of each failure retried.
    func run<T>(clock: BoardClock, onRetry: (HALError, Int) -> Void = { _, _ in },
                       _ operation: () throws(HALError) -> T) throws(HALError) -> T {
        var backoff = initialBackoffSeconds
        var attempt = 1
        while true {
            do {
                return try operation()
            } catch {
                guard Self.isTransient(error), attempt < attempts else { throw error }
                onRetry(error, attempt)
                clock.wait(backoff)
                backoff = min(maxBackoffSeconds, backoff * 2)
                attempt += 1
            }
        }
    }
}
