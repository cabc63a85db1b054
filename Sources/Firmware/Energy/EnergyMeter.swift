import CIMHAL

/// Where the firmware's joules come from: a power monitor on the board's
/// rail, integrated over time, or the simulator's energy model.
///
/// Power-monitor readings are block averages over the monitor's conversion
/// window, so each reading stands for the interval since the one before
/// (`PiecewiseConstantEnergy`, which `InferenceEnergy` uses too): the firmware
/// reads the monitor as an inference starts and as it ends, and the
/// second reading, times the interval, is that inference's energy.
/// A power monitor's reads fail transiently on a real bus (a NACK, a
/// timeout). The meter retries each sample, books a missed one from the
/// energy model or the last good reading, sets the monitor aside only after
/// `dropAfterFailures` samples in a row have failed, and tries it again every
/// `reprobeSeconds` until it answers.
struct MonitorPolicy: Sendable, Hashable {
    var retry: BusRetry
    var dropAfterFailures: Int
    var reprobeSeconds: Double

    init(retry: BusRetry, dropAfterFailures: Int = 3, reprobeSeconds: Double = 10) {
        self.retry = retry
        self.dropAfterFailures = max(1, dropAfterFailures)
        self.reprobeSeconds = reprobeSeconds
    }

    /// No retries, dropped at the first failure (the behaviour of a bare driver).
    static let none = MonitorPolicy(retry: BusRetry(attempts: 1, initialBackoffSeconds: 0, maxBackoffSeconds: 0),
                                           dropAfterFailures: 1, reprobeSeconds: .infinity)
}

public final class EnergyMeter {
    public enum Source: String, Sendable {
        case powerMonitor = "power-monitor"
        case energyModel = "energy-model"
        /// The monitor is away and there is no model: its last good power, held.
        case lastReading = "last-reading"
    }

    /// What happened to the monitor, for the firmware's fault log.
    public enum Event: Sendable {
        /// A read failed and was retried (attempt 1 is the first retry).
        case retried(HALError, attempt: Int)
        /// A sample failed after its retries; its interval was estimated.
        case sampleMissed(HALError)
        /// Too many samples in a row failed: the monitor is set aside.
        case dropped(HALError)
        /// A re-probe answered: the monitor is back.
        case returned
    }

    /// What the monitor's faults cost, for the run's summary.
    public struct Counts: Sendable, Hashable, Codable {
        public var samples = 0
        public var retriesRecovered = 0
        public var samplesMissed = 0
        public var drops = 0
        public var returns = 0
        /// Board seconds with the monitor set aside.
        public var awaySeconds = 0.0
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
    public private(set) var counts = Counts()
    private let clock: BoardClock
    private var monitor: (any PowerMonitor)?
    private let modelJoules: (() -> Double)?
    private let policy: MonitorPolicy
    private let onEvent: (Event) -> Void
    private var lastSeconds: Double
    private var lastModelJoules: Double
    private var lastPowerWatts: Double?
    private var consecutiveFailures = 0
    private var away = false
    private var nextProbeSeconds = 0.0
    private var inferenceStartSeconds = 0.0
    private var current = Period(seconds: 0, joules: 0, inferenceSeconds: 0, inferenceJoules: 0, inferences: 0)
    /// Everything since the meter started (what fleet metrics report as counters).
    public private(set) var lifetime = Period(seconds: 0, joules: 0, inferenceSeconds: 0, inferenceJoules: 0, inferences: 0)

    /// Prefers the power monitor; the energy model is the fallback (and the
    /// only source on a board without a monitor). A monitor that does not
    /// answer at start is set aside and re-probed like one that stops later.
    init(monitor: (any PowerMonitor)?, energyModelJoules: (() -> Double)?, clock: BoardClock,
                policy: MonitorPolicy = .none, onEvent: @escaping (Event) -> Void = { _ in }) throws(HALError) {
        guard monitor != nil || energyModelJoules != nil else {
            throw .unsupported("the board has neither a power monitor nor an energy model to log energy from")
        }
        self.monitor = monitor
        modelJoules = energyModelJoules
        self.clock = clock
        self.policy = policy
        self.onEvent = onEvent
        source = monitor != nil ? .powerMonitor : .energyModel
        lastSeconds = clock.now()
        lastModelJoules = energyModelJoules?() ?? 0
        if monitor != nil { _ = advance() }
    }

    /// Whether the monitor is set aside (energy comes from the fallback).
    public var monitorAway: Bool { away }

    public func beginInference() {
        _ = advance()
        inferenceStartSeconds = lastSeconds
    }

    /// Board seconds the last inference took (`beginInference` to `endInference`).
    public private(set) var lastInferenceSeconds = 0.0

    /// Joules of the inference since `beginInference`.
    @discardableResult
    public func endInference() -> Double {
        let joules = advance()
        lastInferenceSeconds = lastSeconds - inferenceStartSeconds
        current.inferenceSeconds += lastInferenceSeconds
        current.inferenceJoules += joules
        current.inferences += 1
        lifetime.inferenceSeconds += lastInferenceSeconds
        lifetime.inferenceJoules += joules
        lifetime.inferences += 1
        return joules
    }

    /// Ends the current period and starts the next.
    public func closePeriod() -> Period {
        _ = advance()
        let period = current
        current = Period(seconds: 0, joules: 0, inferenceSeconds: 0, inferenceJoules: 0, inferences: 0)
        return period
    }

    /// One sample from the monitor with the policy's retries.
    private func sample(_ m: any PowerMonitor) -> Result<Double, HALError> {
        var m = m
        do {
            let reading = try policy.retry.run(clock: clock, onRetry: { [self] error, attempt in
                counts.retriesRecovered += 1
                onEvent(.retried(error, attempt: attempt))
            }) { () throws(HALError) in try m.sample() }
            monitor = m
            return .success(reading.powerWatts)
        } catch {
            monitor = m
            return .failure(error)
        }
    }

    /// Books the time and energy since the last call; returns the joules.
    /// Never fails: a monitor that cannot be read is estimated around.
    private func advance() -> Double {
        let wasAway = away
        var measured: Double?
        if let m = monitor {
            if !away {
                counts.samples += 1
                switch sample(m) {
                case let .success(watts):
                    consecutiveFailures = 0
                    measured = watts
                case let .failure(error):
                    consecutiveFailures += 1
                    counts.samplesMissed += 1
                    if consecutiveFailures >= policy.dropAfterFailures {
                        away = true
                        counts.drops += 1
                        nextProbeSeconds = clock.now() + policy.reprobeSeconds
                        onEvent(.dropped(error))
                    } else {
                        onEvent(.sampleMissed(error))
                    }
                }
            } else if clock.now() >= nextProbeSeconds {
                if case let .success(watts) = sample(m) {
                    away = false
                    consecutiveFailures = 0
                    counts.returns += 1
                    measured = watts
                    onEvent(.returned)
                } else {
                    nextProbeSeconds = clock.now() + policy.reprobeSeconds
                }
            }
        }
        // After the reads: their retries' backoff is board time too.
        let now = clock.now()
        let modelTotal = modelJoules?() ?? 0
        let modelDelta = modelTotal - lastModelJoules
        lastModelJoules = modelTotal
        let interval = max(0, now - lastSeconds)
        // The interval that ends in a drop was the monitor's; the one that ends in its return was not.
        if wasAway { counts.awaySeconds += interval }
        let joules: Double
        if let watts = measured {
            lastPowerWatts = watts
            joules = PiecewiseConstantEnergy.joules(watts: watts, from: lastSeconds, to: now)
            source = .powerMonitor
        } else if monitor == nil || modelJoules != nil {
            joules = modelDelta
            source = monitor == nil || away ? .energyModel : source
        } else {
            // The last good reading, held over the interval as if it had closed it.
            joules = PiecewiseConstantEnergy.joules(watts: lastPowerWatts ?? 0, from: lastSeconds, to: now)
            if away { source = .lastReading }
        }
        current.seconds += now - lastSeconds
        current.joules += joules
        lifetime.seconds += now - lastSeconds
        lifetime.joules += joules
        lastSeconds = now
        return joules
    }
}
