/// One row of the energy log: an inference, or a period summary.
/// Columns are named with their units, so the file reads as it is in
/// pandas (`pd.read_csv("energy.csv")`) or a spreadsheet.
public struct EnergyLogRecord: Sendable, Hashable {
    public enum Kind: String, Sendable { case inference, period }

    public var boardSeconds: Double
    public var wallTime: String
    public var kind: Kind
    public var inferences: Int
    public var energyJoules: Double
    public var averagePowerWatts: Double
    public var idlePowerWatts: Double?
    public var dieCelsius: Double
    public var calibrationEpoch: Int
    public var detections: Int
    public var keyword: String
    public var source: String

    public static let header = [
        "time_s", "wall_time", "kind", "inferences", "energy_j", "energy_per_inference_j", "average_power_w",
        "idle_power_w", "temperature_c", "calibration_epoch", "detections", "keyword", "source",
    ]

    public var fields: [String] {
        [
            Self.number(boardSeconds), wallTime, kind.rawValue, String(inferences), Self.number(energyJoules),
            inferences > 0 ? Self.number(energyJoules / Double(inferences)) : "",
            Self.number(averagePowerWatts), idlePowerWatts.map(Self.number) ?? "", Self.number(dieCelsius),
            String(calibrationEpoch), String(detections), keyword, source,
        ]
    }

    /// Shortest round-trip form; a non-finite value is an empty (missing) field.
    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "" }
}
