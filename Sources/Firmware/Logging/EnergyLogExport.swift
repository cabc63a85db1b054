/// The energy log as CSV: the rows of a SQLite store in the order written,
/// formatted as the CSV log formats them (`EnergyLogRecord.appendFields`), so
/// `cimfw log export --csv` and `--log file.csv` give the same columns and
/// values.
public enum EnergyLogExport {
    /// The store at `path` as CSV bytes: the header, then one line per row.
    public static func csv(fromStore path: String) throws(LogError) -> [UInt8] {
        var bytes = CSVRow.line(EnergyLogRecord.header)
        for record in try EnergyLogStore.records(at: path) {
            var row = CSVRow(taking: &bytes)
            record.appendFields(to: &row)
            row.finish()
            row.giveBack(to: &bytes)
        }
        return bytes
    }

    /// Whether `path` names a SQLite store rather than a CSV log.
    public static func isStore(_ path: String) -> Bool { EnergyLogFormat(path: path) == .sqlite }
}
