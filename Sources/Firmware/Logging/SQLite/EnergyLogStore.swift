import CSQLite

/// The energy log in SQLite, in WAL mode: one table per record kind
/// (`inference`, `period`), columns named with their units as in the CSV
/// log. Crash safety is SQLite's: a transaction is whole or absent after a
/// kill or a power cut, so there is no torn line to repair.
///
/// Rows wait in memory and go in as one transaction every
/// `commitIntervalSeconds` of board time (a crash loses at most that much,
/// the CSV log's promise), which keeps the cost per row low on an SD card.
/// A full disk fails the commit; the rows stay queued (the oldest dropped
/// beyond `maxQueuedRecords`) and go in when space returns. The file is kept
/// under `maxBytes` by deleting the oldest quarter of rows when it passes it.
final class EnergyLogStore: EnergyLogDestination {
    let path: String
    private let database: SQLiteDatabase
    private let insertInference: SQLiteDatabase.Statement
    private let insertPeriod: SQLiteDatabase.Statement
    private let commitIntervalSeconds: Double
    private let maxBytes: Int
    private var queued: [EnergyLogRecord] = []
    private var queueStartSeconds: Double?
    private var nextSequence: Int
    private var closed = false
    /// Rows kept in memory at most while commits fail.
    var maxQueuedRecords = 10_000
    private(set) var recordsFlushed = 0
    private(set) var recordsDropped = 0

    static let schema = """
        CREATE TABLE IF NOT EXISTS inference (
            sequence INTEGER PRIMARY KEY, time_s REAL NOT NULL, wall_time TEXT NOT NULL,
            energy_j REAL, temperature_c REAL, calibration_epoch INTEGER NOT NULL,
            detections INTEGER NOT NULL, keyword TEXT NOT NULL, source TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS period (
            sequence INTEGER PRIMARY KEY, time_s REAL NOT NULL, wall_time TEXT NOT NULL,
            inferences INTEGER NOT NULL, energy_j REAL, energy_per_inference_j REAL,
            average_power_w REAL, idle_power_w REAL, temperature_c REAL, calibration_epoch INTEGER NOT NULL,
            detections INTEGER NOT NULL, keyword TEXT NOT NULL, source TEXT NOT NULL);
        """

    init(path: String, commitIntervalSeconds: Double, maxBytes: Int) throws(LogError) {
        guard commitIntervalSeconds.isFinite, commitIntervalSeconds >= 0 else {
            throw LogError(path: path, operation: .configure,
                           reason: .invalidValue(name: "flush interval", value: "\(commitIntervalSeconds) s", expected: "a finite number ≥ 0"))
        }
        guard maxBytes >= 65_536 else {
            throw LogError(path: path, operation: .configure,
                           reason: .invalidValue(name: "size limit", value: "\(maxBytes) bytes", expected: "at least 65536"))
        }
        self.path = path
        self.commitIntervalSeconds = commitIntervalSeconds
        self.maxBytes = maxBytes
        database = try SQLiteDatabase(path: path)
        // WAL: a writer appends to the log file and a kill leaves every committed
        // transaction readable; NORMAL syncs at checkpoints, enough for a process crash.
        try database.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", .openDatabase)
        try database.execute(Self.schema, .openDatabase)
        insertInference = try database.prepare("""
            INSERT INTO inference (sequence, time_s, wall_time, energy_j, temperature_c, calibration_epoch, detections, keyword, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertPeriod = try database.prepare("""
            INSERT INTO period (sequence, time_s, wall_time, inferences, energy_j, energy_per_inference_j, average_power_w,
                                idle_power_w, temperature_c, calibration_epoch, detections, keyword, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let last = try database.integer("SELECT max(m) FROM (SELECT max(sequence) AS m FROM inference UNION ALL SELECT max(sequence) FROM period)")
        nextSequence = Int(last) + 1
        queued.reserveCapacity(1024)
    }

    func write(_ record: EnergyLogRecord, nowSeconds: Double) throws(LogError) {
        guard !closed else { throw LogError(path: path, operation: .append, reason: .closed) }
        if queued.count >= maxQueuedRecords {
            queued.removeFirst()
            recordsDropped += 1
        }
        queued.append(record)
        let start = queueStartSeconds ?? nowSeconds
        queueStartSeconds = start
        if nowSeconds - start >= commitIntervalSeconds { try commit() }
    }

    /// Writes every queued row in one transaction.
    func commit() throws(LogError) {
        guard !queued.isEmpty else { return }
        try database.execute("BEGIN IMMEDIATE", .commit)
        do throws(LogError) {
            for (k, record) in queued.enumerated() { try insert(record, sequence: nextSequence + k) }
            try database.execute("COMMIT", .commit)
        } catch {
            try? database.execute("ROLLBACK", .commit)
            throw error
        }
        nextSequence += queued.count
        recordsFlushed += queued.count
        queued.removeAll(keepingCapacity: true)
        queueStartSeconds = nil
        try keepUnderLimit()
    }

    private func insert(_ r: EnergyLogRecord, sequence: Int) throws(LogError) {
        switch r.kind {
        case .inference:
            let s = insertInference
            s.bind(1, sequence); s.bind(2, r.boardSeconds); s.bind(3, r.wallTime); s.bind(4, r.energyJoules)
            s.bind(5, r.dieCelsius); s.bind(6, r.calibrationEpoch); s.bind(7, r.detections); s.bind(8, r.keyword); s.bind(9, r.source)
            _ = try s.step(.commit)
            s.reset()
        case .period:
            let s = insertPeriod
            s.bind(1, sequence); s.bind(2, r.boardSeconds); s.bind(3, r.wallTime); s.bind(4, r.inferences); s.bind(5, r.energyJoules)
            s.bind(6, r.energyPerInferenceJoules); s.bind(7, r.averagePowerWatts); s.bind(8, r.idlePowerWatts); s.bind(9, r.dieCelsius)
            s.bind(10, r.calibrationEpoch); s.bind(11, r.detections); s.bind(12, r.keyword); s.bind(13, r.source)
            _ = try s.step(.commit)
            s.reset()
        }
    }

    /// Past `maxBytes`, deletes the oldest quarter of rows (by sequence);
    /// SQLite reuses their pages, so the file stops growing.
    private func keepUnderLimit() throws(LogError) {
        // Pages freed by an earlier deletion are reused, so only the pages in use count.
        let bytes = try database.integer("""
            SELECT (page_count - freelist_count) * page_size FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()
            """)
        guard bytes > maxBytes else { return }
        let first = try database.integer("SELECT min(m) FROM (SELECT min(sequence) AS m FROM inference UNION ALL SELECT min(sequence) FROM period)")
        let cutoff = first + (Int64(nextSequence) - first) / 4
        try database.execute("DELETE FROM inference WHERE sequence < \(cutoff); DELETE FROM period WHERE sequence < \(cutoff);")
    }

    func close() throws(LogError) {
        guard !closed else { return }
        try commit()
        closed = true
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)", .close)
    }

    // MARK: Reading

    /// Every row of the store at `path`, in the order written (both kinds interleaved).
    static func records(at path: String) throws(LogError) -> [EnergyLogRecord] {
        let database = try SQLiteDatabase(path: path, readOnly: true)
        let rows = try database.prepare("""
            SELECT sequence, 'inference', time_s, wall_time, 1, energy_j, NULL, NULL, temperature_c,
                   calibration_epoch, detections, keyword, source FROM inference
            UNION ALL
            SELECT sequence, 'period', time_s, wall_time, inferences, energy_j, average_power_w, idle_power_w, temperature_c,
                   calibration_epoch, detections, keyword, source FROM period
            ORDER BY 1
            """)
        var out: [EnergyLogRecord] = []
        while try rows.step() {
            let kind: EnergyLogRecord.Kind = rows.text(1) == "period" ? .period : .inference
            func real(_ c: Int32) -> Double { rows.isNull(c) ? .nan : rows.double(c) }
            out.append(EnergyLogRecord(
                boardSeconds: rows.double(2), wallTime: rows.text(3), kind: kind, inferences: Int(rows.integer(4)),
                energyJoules: real(5), averagePowerWatts: real(6), idlePowerWatts: rows.isNull(7) ? nil : rows.double(7),
                dieCelsius: real(8), calibrationEpoch: Int(rows.integer(9)), detections: Int(rows.integer(10)),
                keyword: rows.text(11), source: rows.text(12)))
        }
        return out
    }
}
