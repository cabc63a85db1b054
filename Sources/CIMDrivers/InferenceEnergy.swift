import CIMHAL

/// Energy per inference from a power monitor and an inference-marker GPIO,
/// the MLPerf Tiny way: the firmware raises the marker before a run of
/// inferences and drops it after; the energy is the power integrated between
/// the two edges, divided by the inferences inside.
///
/// Each sample is taken to be the average power over the interval since the
/// previous sample (INA monitors block-average a conversion window and are
/// read at its end). The two samples the marker edges fall inside are
/// weighted by the fraction of their interval inside the window; since what
/// happened inside those intervals is unknown, the result carries a bound:
/// each edge can misattribute up to its interval times the power step across
/// it (hal-and-power-monitors.md §4.3: |ΔE| ≲ 2·t_s·ΔP).
public struct InferenceEnergy: Sendable, Hashable, Codable {
    public var windowStartSeconds: Double
    public var windowEndSeconds: Double
    public var inferences: Int
    public var samplesInWindow: Int
    public var energyJoules: Double
    /// Largest error the sampling can cause (edge attribution), joules.
    public var errorBoundJoules: Double

    public var windowSeconds: Double { windowEndSeconds - windowStartSeconds }
    public var joulesPerInference: Double { energyJoules / Double(inferences) }
    public var errorBoundJoulesPerInference: Double { errorBoundJoules / Double(inferences) }
    public var averagePowerWatts: Double { energyJoules / windowSeconds }

    /// Integrates `samples` (ascending timestamps, one time base with the
    /// window) over [start, end] for `inferences` inferences.
    public static func integrate(_ samples: [PowerSample], from start: Double, to end: Double,
                                 inferences: Int) throws(HALError) -> InferenceEnergy {
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
        var energy = 0.0, bound = 0.0
        var inside = 0
        for k in 1..<samples.count {
            let from = samples[k - 1].timestampSeconds, to = samples[k].timestampSeconds
            let overlap = min(to, end) - max(from, start)
            guard overlap > 0 else { continue }
            energy += samples[k].powerWatts * overlap
            inside += 1
            let partial = overlap < to - from
            if partial {
                // The edge falls inside this interval: the power on either side of it is unknown.
                let neighbours = [samples[k - 1].powerWatts, samples[k].powerWatts,
                                  k + 1 < samples.count ? samples[k + 1].powerWatts : samples[k].powerWatts]
                bound += (to - from) * ((neighbours.max() ?? 0) - (neighbours.min() ?? 0))
            }
        }
        return InferenceEnergy(windowStartSeconds: start, windowEndSeconds: end, inferences: inferences,
                               samplesInWindow: inside, energyJoules: energy, errorBoundJoules: bound)
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
