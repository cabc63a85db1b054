/// Where the run's energy-log rows go: the SQLite store (the default), or a
/// CSV file for a `--log` path ending in `.csv`. Both write the same rows
/// (`EnergyLogRecord`, columns named with their units).
protocol EnergyLogDestination: AnyObject {
    func write(_ record: EnergyLogRecord, nowSeconds: Double) throws(LogError)
    func close() throws(LogError)
    /// Rows durably written (committed, or flushed and fsynced).
    var recordsFlushed: Int { get }
    /// Rows dropped while the disk refused them.
    var recordsDropped: Int { get }
}

extension CSVLogWriter: EnergyLogDestination {
    func write(_ record: EnergyLogRecord, nowSeconds: Double) throws(LogError) {
        try append(record, nowSeconds: nowSeconds)
    }
}

enum EnergyLogFormat {
    case sqlite, csv

    /// `.csv` writes CSV directly; any other path is a SQLite store.
    init(path: String) {
        self = path.lowercased().hasSuffix(".csv") ? .csv : .sqlite
    }
}
