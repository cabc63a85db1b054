/// Energy from power readings, the one convention the firmware's energy
/// meter and the evaluation's marker windows share: a power monitor's reading
/// is the block average of its conversion window, so each reading stands for
/// the interval since the reading before it (piecewise constant). An
/// inference's energy is each reading's power times the part of its interval
/// that falls inside the inference.
public enum PiecewiseConstantEnergy {
    /// The part of the interval (from, to] inside [start, end], seconds (0 when none).
    @inlinable
    public static func overlap(from: Double, to: Double, start: Double, end: Double) -> Double {
        max(0, min(to, end) - max(from, start))
    }

    /// Joules a reading of `watts`, closing the interval (from, to], puts inside [start, end].
    @inlinable
    public static func joules(watts: Double, from: Double, to: Double, start: Double, end: Double) -> Double {
        let seconds = overlap(from: from, to: to, start: start, end: end)
        return seconds > 0 ? watts * seconds : 0
    }

    /// Joules of the whole interval (from, to] a reading of `watts` closes.
    @inlinable
    public static func joules(watts: Double, from: Double, to: Double) -> Double {
        joules(watts: watts, from: from, to: to, start: from, end: to)
    }
}
