import CSQLite

/// A thin wrapper over one SQLite 3 connection: every call's result code
/// becomes a `LogError` naming the file and what was being done.
final class SQLiteDatabase {
    let path: String
    private var handle: OpaquePointer?

    init(path: String, readOnly: Bool = false) throws(LogError) {
        self.path = path
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let code = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK else {
            let error = failure(.openDatabase, code)
            sqlite3_close_v2(handle)
            handle = nil
            throw error
        }
        sqlite3_extended_result_codes(handle, 1)
        // A writer the disk briefly holds up waits, within reason, instead of failing at once.
        sqlite3_busy_timeout(handle, 2000)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs SQL without results (one or more statements).
    func execute(_ sql: String, _ operation: LogError.Operation = .query) throws(LogError) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw failure(operation, code) }
    }

    func prepare(_ sql: String) throws(LogError) -> Statement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw failure(.query, code) }
        return Statement(statement, database: self)
    }

    /// The single integer a query returns (0 when it returns no row or NULL).
    func integer(_ sql: String) throws(LogError) -> Int64 {
        let statement = try prepare(sql)
        return try statement.step() ? statement.integer(0) : 0
    }

    func failure(_ operation: LogError.Operation, _ code: Int32) -> LogError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        return LogError(path: path, operation: operation, reason: .sqlite(code: code, message: message))
    }

    /// One prepared statement, reused: bind, step, reset.
    final class Statement {
        private let statement: OpaquePointer
        private let database: SQLiteDatabase

        fileprivate init(_ statement: OpaquePointer, database: SQLiteDatabase) {
            self.statement = statement
            self.database = database
        }

        deinit { sqlite3_finalize(statement) }

        func bind(_ index: Int32, _ value: Double?) {
            if let value, value.isFinite { sqlite3_bind_double(statement, index, value) } else { sqlite3_bind_null(statement, index) }
        }

        func bind(_ index: Int32, _ value: Int) { sqlite3_bind_int64(statement, index, Int64(value)) }

        /// Text bound as a copy (SQLITE_TRANSIENT): the Swift string need not outlive the call.
        func bind(_ index: Int32, _ value: String) {
            sqlite3_bind_text(statement, index, value, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }

        /// Advances; true while a row is ready.
        func step(_ operation: LogError.Operation = .query) throws(LogError) -> Bool {
            let code = sqlite3_step(statement)
            switch code {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default:
                sqlite3_reset(statement)
                throw database.failure(operation, code)
            }
        }

        func reset() {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }

        func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
        func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
        func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }
        func text(_ column: Int32) -> String {
            sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""
        }
    }
}
