import CIMHAL

/// Where the firmware's joules come from: a power monitor on the board's
/// rail, integrated over time, or the simulator's energy model.
///
/// Power-monitor readings are block averages over the monitor's conversion
/// window, so each reading stands for the interval since the one before
/// (piecewise constant, the convention of `InferenceEnergy`): the firmware
/// reads the monitor as an inference starts and as it ends, and the
/// second reading, times the interval, is that inference's energy.
public final class EnergyMeter {
    public enum Source: String, Sendable {
        case powerMonitor = "power-monitor"
        case energyModel = "energy-model"
    }

    /// What one period (between two `closePeriod` calls) used.
    public struct Period: Sendable, Hashable {
        public var seconds: Double
        public var joules: Double
        public var inferenceSeconds: Double
        public var inferenceJoules: Double
        public var inferences: Int

        public var averagePowerWatts: Double { seconds > 0 ? joules / seconds : 0 }
        /// Power outside inferences: bias, references, regulators, the MCU.
        public var idlePowerWatts: Double {
            let idle = seconds - inferenceSeconds
            return idle > 0 ? max(0, joules - inferenceJoules) / idle : averagePowerWatts
        }
    }

    public private(set) var source: Source
    private let clock: BoardClock
    private var monitor: (any PowerMonitor)?
    private let modelJoules: (() -> Double)?
    private var lastSeconds: Double
    private var lastModelJoules: Double
    private var inferenceStartSeconds = 0.0
    private var current = Period(seconds: 0, joules: 0, inferenceSeconds: 0, inferenceJoules: 0, inferences: 0)

    /// Prefers the power monitor; the energy model is the fallback (and the
    /// only source on a board without a monitor).
    public init(monitor: (any PowerMonitor)?, energyModelJoules: (() -> Double)?, clock: BoardClock) throws(HALError) {
        guard monitor != nil || energyModelJoules != nil else {
            throw .unsupported("the board has neither a power monitor nor an energy model to log energy from")
        }
        self.monitor = monitor
        modelJoules = energyModelJoules
        self.clock = clock
        source = monitor != nil ? .powerMonitor : .energyModel
        lastSeconds = clock.now()
        lastModelJoules = energyModelJoules?() ?? 0
        if monitor != nil { _ = try advance() }
    }

    /// Gives up on the power monitor (it vanished and would not come back)
    /// and continues on the energy model, if there is one.
    public func fallBackToEnergyModel() -> Bool {
        guard modelJoules != nil else { return false }
        monitor = nil
        source = .energyModel
        lastModelJoules = modelJoules?() ?? 0
        lastSeconds = clock.now()
        return true
    }

    public func beginInference() throws(HALError) {
        _ = try advance()
        inferenceStartSeconds = lastSeconds
    }

    /// Joules of the inference since `beginInference`.
    @discardableResult
    public func endInference() throws(HALError) -> Double {
        let joules = try advance()
        current.inferenceSeconds += lastSeconds - inferenceStartSeconds
        current.inferenceJoules += joules
        current.inferences += 1
        return joules
    }

    /// Ends the current period and starts the next.
    public func closePeriod() throws(HALError) -> Period {
        _ = try advance()
        let period = current
        current = Period(seconds: 0, joules: 0, inferenceSeconds: 0, inferenceJoules: 0, inferences: 0)
        return period
    }

    /// Books the time and energy since the last call; returns the joules.
    private func advance() throws(HALError) -> Double {
        let joules: Double
        let now: Double
        if var m = monitor {
            let sample = try m.sample()
            monitor = m
            now = clock.now()
            joules = sample.powerWatts * max(0, now - lastSeconds)
        } else {
            now = clock.now()
            let total = modelJoules?() ?? 0
            joules = total - lastModelJoules
            lastModelJoules = total
        }
        current.seconds += now - lastSeconds
        current.joules += joules
        lastSeconds = now
        return joules
    }
}
