/// Die temperature over simulated time.
public enum ThermalProfile: Sendable, Hashable, Codable {
    case fixed(celsius: Double)
    /// Piecewise constant: each step holds from its start time; before the
    /// first, the first step's temperature.
    case steps([Step])
    /// Linear from `startCelsius` at `startSeconds` to `endCelsius` after
    /// `durationSeconds`, constant outside.
    case ramp(startCelsius: Double, endCelsius: Double, startSeconds: Double, durationSeconds: Double)

    public struct Step: Sendable, Hashable, Codable {
        public var atSeconds: Double
        public var celsius: Double
        public init(atSeconds: Double, celsius: Double) {
            self.atSeconds = atSeconds
            self.celsius = celsius
        }
    }

    public func celsius(atSeconds t: Double) -> Double {
        switch self {
        case let .fixed(c):
            return c
        case let .steps(steps):
            guard var current = steps.first?.celsius else { return 25 }
            for step in steps where step.atSeconds <= t { current = step.celsius }
            return current
        case let .ramp(start, end, startSeconds, duration):
            if t <= startSeconds || duration <= 0 { return t <= startSeconds ? start : end }
            let f = min(1, (t - startSeconds) / duration)
            return start + (end - start) * f
        }
    }
}
