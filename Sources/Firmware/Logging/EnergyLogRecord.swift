/// One row of the energy log: an inference, or a period summary.
/// Columns are named with their units, so the file reads as it is in
/// pandas (`pd.read_csv("energy.csv")`) or a spreadsheet; a value that is
/// not known (a non-finite number, an idle power not measured, the energy
/// per inference of a period without inferences) is an empty field.
struct EnergyLogRecord: Sendable, Hashable, CSVRecord {
    enum Kind: String, Sendable {
        case inference, period
    }

    /// Board clock seconds (`BoardClock.now()`).
    var boardSeconds: Double
    /// ISO 8601 UTC from the wall clock (`UTCTimestamp.now()`), supplied by the caller.
    var wallTime: String
    var kind: Kind
    /// Inferences the row covers: 1 for an inference row.
    var inferences: Int
    var energyJoules: Double
    var averagePowerWatts: Double
    var idlePowerWatts: Double?
    var dieCelsius: Double
    /// Calibrations done so far.
    var calibrationEpoch: Int
    var detections: Int
    /// The last keyword detected in the row, or empty.
    var keyword: String
    /// `power-monitor` or `energy-model` (`EnergyMeter.Source.rawValue`).
    var source: String

    init(boardSeconds: Double, wallTime: String, kind: Kind, inferences: Int, energyJoules: Double,
                averagePowerWatts: Double, idlePowerWatts: Double?, dieCelsius: Double, calibrationEpoch: Int,
                detections: Int, keyword: String, source: String) {
        self.boardSeconds = boardSeconds
        self.wallTime = wallTime
        self.kind = kind
        self.inferences = inferences
        self.energyJoules = energyJoules
        self.averagePowerWatts = averagePowerWatts
        self.idlePowerWatts = idlePowerWatts
        self.dieCelsius = dieCelsius
        self.calibrationEpoch = calibrationEpoch
        self.detections = detections
        self.keyword = keyword
        self.source = source
    }

    static let header = [
        "time_s", "wall_time", "kind", "inferences", "energy_j", "energy_per_inference_j", "average_power_w",
        "idle_power_w", "temperature_c", "calibration_epoch", "detections", "keyword", "source",
    ]

    /// Empty (nil) when the row covers no inference: an idle period has no energy per inference.
    var energyPerInferenceJoules: Double? {
        inferences > 0 ? energyJoules / Double(inferences) : nil
    }

    func appendFields(to row: inout CSVRow) {
        row.append(boardSeconds)
        row.append(wallTime)
        row.append(kind.rawValue)
        row.append(inferences)
        row.append(energyJoules)
        row.append(energyPerInferenceJoules)
        row.append(averagePowerWatts)
        row.append(idlePowerWatts)
        row.append(dieCelsius)
        row.append(calibrationEpoch)
        row.append(detections)
        row.append(keyword)
        row.append(source)
    }

    /// The row's fields as text, exactly as `appendFields` writes them
    /// before quoting (for `CSVLogWriter.append(_: [String], …)` and tests).
    var fields: [String] {
        [
            Self.number(boardSeconds), wallTime, kind.rawValue, String(inferences), Self.number(energyJoules),
            energyPerInferenceJoules.map(Self.number) ?? "", Self.number(averagePowerWatts),
            idlePowerWatts.map(Self.number) ?? "", Self.number(dieCelsius), String(calibrationEpoch),
            String(detections), keyword, source,
        ]
    }

    /// Shortest round-trip form; a non-finite value is an empty (missing) field.
    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "" }
}
