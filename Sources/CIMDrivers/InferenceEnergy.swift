import CIMHAL

/// Energy per inference from a power monitor and an inference-marker GPIO,
/// the MLPerf Tiny way: the firmware raises the marker before a run of
/// inferences and drops it after; the energy is the power integrated between
/// the two edges, divided by the inferences inside.
///
/// Each sample stands for the interval since the previous one
/// (`PiecewiseConstantEnergy`, which the firmware's `EnergyMeter` uses too); the two intervals the marker edges fall inside count by the
/// fraction inside the window. The bound says what the sampling can hide,
/// for a load that stays within the range its neighbouring samples show:
/// - each edge: its interval times the power step across it
///   (hal-and-power-monitors.md §4.3: |ΔE| ≲ 2·t_s·ΔP);
/// - time no conversion saw: an INA block-averages only its conversion
///   window (AVG × CT), so when samples are further apart than that, the
///   rest of each interval is unobserved — its length times the local power
///   spread;
/// - resolution: the power LSB over the whole window.
/// Sample back to back (period = conversion window) and the middle term vanishes.
public struct InferenceEnergy: Sendable, Hashable, Codable {
    public var windowStartSeconds: Double
    public var windowEndSeconds: Double
    public var inferences: Int
    public var samplesInWindow: Int
    public var energyJoules: Double
    /// Largest error the sampling can cause (edges, unobserved time, resolution), joules.
    public var errorBoundJoules: Double
    /// Share of the window some conversion actually observed.
    public var coverageFraction: Double

    public var windowSeconds: Double { windowEndSeconds - windowStartSeconds }
    public var joulesPerInference: Double { energyJoules / Double(inferences) }
    public var errorBoundJoulesPerInference: Double { errorBoundJoules / Double(inferences) }
    public var averagePowerWatts: Double { energyJoules / windowSeconds }

    /// Integrates `samples` (ascending timestamps, one time base with the
    /// window) over [start, end] for `inferences` inferences.
    /// - Parameters:
    ///   - conversionWindowSeconds: how long each sample's average ran (AVG ×
    ///     CT for an INA); nil when samples are averages over their whole interval.
    ///   - powerResolutionWatts: the monitor's power LSB.
    public static func integrate(_ samples: [PowerSample], from start: Double, to end: Double, inferences: Int,
                                 conversionWindowSeconds: Double? = nil,
                                 powerResolutionWatts: Double = 0) throws(HALError) -> InferenceEnergy {
        if let w = conversionWindowSeconds, !(w.isFinite && w > 0) {
            throw .invalidArgument("conversion window \(w) s must be a positive number")
        }
        guard powerResolutionWatts.isFinite, powerResolutionWatts >= 0 else {
            throw .invalidArgument("power resolution \(powerResolutionWatts) W must be ≥ 0")
        }
        guard end > start else { throw .invalidArgument("the marker window [\(start), \(end)] s is empty") }
        guard inferences >= 1 else { throw .invalidArgument("a window holds at least 1 inference, got \(inferences)") }
        guard samples.count >= 2 else { throw .invalidArgument("need at least 2 power samples, got \(samples.count)") }
        for k in 1..<samples.count where samples[k].timestampSeconds <= samples[k - 1].timestampSeconds {
            throw .invalidArgument("power sample \(k) at \(samples[k].timestampSeconds) s is not after sample \(k - 1)")
        }
        // Sample k covers (t[k-1], t[k]]; the first sample only bounds time.
        guard samples[0].timestampSeconds <= start, let last = samples.last, last.timestampSeconds >= end else {
            throw .invalidArgument("power samples cover \(samples[0].timestampSeconds)...\(samples.last?.timestampSeconds ?? 0) s, not the whole marker window \(start)...\(end) s")
        }
        var energy = 0.0, bound = 0.0, observed = 0.0
        var inside = 0
        for k in 1..<samples.count {
            let from = samples[k - 1].timestampSeconds, to = samples[k].timestampSeconds
            let overlap = PiecewiseConstantEnergy.overlap(from: from, to: to, start: start, end: end)
            guard overlap > 0 else { continue }
            energy += PiecewiseConstantEnergy.joules(watts: samples[k].powerWatts, from: from, to: to, start: start, end: end)
            inside += 1
            let neighbours = [samples[k - 1].powerWatts, samples[k].powerWatts,
                              k + 1 < samples.count ? samples[k + 1].powerWatts : samples[k].powerWatts]
            let spread = (neighbours.max() ?? 0) - (neighbours.min() ?? 0)
            let interval = to - from
            let seen = min(interval, conversionWindowSeconds ?? interval)
            let unseen = (interval - seen) * overlap / interval
            observed += overlap - unseen
            if overlap < interval {
                // The edge falls inside this interval: the power on either side of it is unknown.
                bound += interval * spread
            } else {
                bound += unseen * spread
            }
            bound += overlap * powerResolutionWatts
        }
        return InferenceEnergy(windowStartSeconds: start, windowEndSeconds: end, inferences: inferences,
                               samplesInWindow: inside, energyJoules: energy, errorBoundJoules: bound,
                               coverageFraction: observed / (end - start))
    }

    /// Marker windows from a line's edges: each rising edge opens one, the
    /// next falling edge closes it (seconds on the edges' clock).
    public static func windows(from edges: [GPIOEdgeEvent]) -> [(startSeconds: Double, endSeconds: Double)] {
        var windows: [(Double, Double)] = []
        var open: Double?
        for e in edges {
            let t = Double(e.timestampNanoseconds) * 1e-9
            switch e.edge {
            case .rising: open = t
            case .falling:
                if let s = open { windows.append((s, t)) }
                open = nil
            }
        }
        return windows
    }
}
