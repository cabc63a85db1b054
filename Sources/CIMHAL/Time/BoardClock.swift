/// How a board tells and passes time, in seconds.
///
/// Virtual on simulated and emulated boards: `wait` returns at once and
/// advances the model (drift, temperature, static energy), so firmware can
/// run a day in seconds. Monotonic on hardware, where `wait` sleeps.
/// The firmware depends on this and on nothing that chooses a backend.
public struct BoardClock {
    public let now: () -> Double
    public let wait: (Double) -> Void
    /// True when `wait` passes time without sleeping (a virtual clock).
    public let isVirtual: Bool

    public init(now: @escaping () -> Double, wait: @escaping (Double) -> Void, isVirtual: Bool) {
        self.now = now
        self.wait = wait
        self.isVirtual = isVirtual
    }

    /// Waits until `seconds` on this clock; returns at once if it has passed.
    public func wait(until seconds: Double) {
        let remaining = seconds - now()
        if remaining > 0 { wait(remaining) }
    }
}
