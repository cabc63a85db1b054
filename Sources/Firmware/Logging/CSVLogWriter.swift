/// An append-only CSV log that survives the process being killed.
///
/// Rows are formatted into a buffer sized up front and handed to the kernel
/// with write(2) at the flush interval (or when the buffer fills), always as
/// whole lines: a kill loses at most the rows since the last flush and
/// never damages an earlier one. A write that fails part-way is cut back to
/// the last whole line. What can still tear the last line: a power cut
/// (`fsyncOnFlush` narrows that window), and a SIGKILL that lands inside a
/// write(2) of more than a page (Linux may stop such a write between
/// pages). Opening the file again cuts a torn tail back to the end of the
/// last complete record and reports the bytes dropped in `repairedBytes`,
/// so after that every line is a complete record; `CSVLogReader` reports a
/// torn tail without repairing it.
///
/// Rotation: when a flush would grow the file past `rotateBytes`, the file
/// moves to `name.1.csv` (older ones shift up, the one beyond `keepRotated`
/// is removed) and a fresh file starts with the header, so every file in
/// the set reads on its own. A flush splits at record boundaries to keep
/// each file within `rotateBytes` (one record longer than that on its own
/// gets a file to itself). An existing file whose header differs is never
/// mixed with rows of another shape: it is moved aside into the rotated set.
///
/// Time is the caller's (`nowSeconds`, from the board clock): the writer
/// reads no clock, so a virtual clock gives the same flushes every run.
public final class CSVLogWriter {
    public let path: String
    public let header: [String]
    public let flushIntervalSeconds: Double
    public let rotateBytes: Int
    public let keepRotated: Int
    public let fsyncOnFlush: Bool
    /// Rows buffered before a flush is forced, whatever the interval.
    public let bufferBytes: Int

    /// Bytes cut from a torn last line when the file was opened.
    public private(set) var repairedBytes = 0
    /// Where an existing file with another header went (`rotatedPath(1)`), if one did.
    public private(set) var movedAsidePath: String?
    /// Rows accepted by `append`.
    public private(set) var recordsWritten = 0
    /// Rows handed to the kernel (and, with `fsyncOnFlush`, to the disk).
    public private(set) var recordsFlushed = 0
    /// Row bytes handed to the kernel (headers not counted).
    public private(set) var bytesFlushed = 0
    /// Size rotations so far.
    public private(set) var rotations = 0
    /// Rows waiting for the next flush.
    public var recordsPending: Int { recordEnds.count }
    /// Oldest rows given up while flushes failed (a full disk) and the
    /// queue reached `maxPendingBytes`.
    public private(set) var recordsDropped = 0
    /// While flushes fail, at most this many row bytes stay queued; beyond
    /// it the oldest rows go, so memory stays bounded however long the disk
    /// stays full.
    public var maxPendingBytes = 1 << 20
    /// Tests only: every write(2) fails with this errno while set (a full disk on demand).
    var injectedWriteErrno: Int32?

    private var file: LogFileDescriptor?
    /// Size of the current file: what is on disk, not counting `pending`.
    private var fileBytes = 0
    private var pending: [UInt8] = []
    /// Where each pending record ends in `pending`: flushes and rotations
    /// split only there (a quoted field may hold a line feed, so scanning
    /// for "\n" could split a record).
    private var recordEnds: [Int] = []
    private var lastFlushSeconds: Double?
    private let headerLine: [UInt8]
    private let rotation: RotatedLogSet

    public init(path: String, header: [String], flushIntervalSeconds: Double, rotateBytes: Int, keepRotated: Int,
                fsyncOnFlush: Bool = false, bufferBytes: Int = 64 * 1024) throws(LogError) {
        let headerLine = CSVRow.line(header)
        func invalid(_ name: String, _ value: String, _ expected: String) -> LogError {
            LogError(path: path, operation: .configure, reason: .invalidValue(name: name, value: value, expected: expected))
        }
        guard !header.isEmpty else { throw invalid("header", "[]", "at least one column name") }
        guard flushIntervalSeconds.isFinite && flushIntervalSeconds >= 0 else {
            throw invalid("flushIntervalSeconds", "\(flushIntervalSeconds)", "a finite number of seconds, 0 or more")
        }
        guard rotateBytes > headerLine.count else {
            throw invalid("rotateBytes", "\(rotateBytes)", "more than the header line's \(headerLine.count) bytes")
        }
        guard keepRotated >= 0 else { throw invalid("keepRotated", "\(keepRotated)", "0 or more files") }
        guard bufferBytes > 0 else { throw invalid("bufferBytes", "\(bufferBytes)", "1 or more bytes") }

        self.path = path
        self.header = header
        self.flushIntervalSeconds = flushIntervalSeconds
        self.rotateBytes = rotateBytes
        self.keepRotated = keepRotated
        self.fsyncOnFlush = fsyncOnFlush
        self.bufferBytes = bufferBytes
        self.headerLine = headerLine
        rotation = RotatedLogSet(path: path, keepRotated: keepRotated)
        // A flush happens once the buffer reaches bufferBytes, so it holds at
        // most bufferBytes plus one line; every record is at least
        // header.count bytes (the commas and the line feed).
        pending.reserveCapacity(bufferBytes + 1024)
        recordEnds.reserveCapacity(bufferBytes / header.count + 2)
        try openLog()
    }

    /// Best effort only: call `close()` to learn whether the last rows reached the file.
    deinit {
        try? flush()
        file?.closeQuietly()
    }

    /// `energy.csv` → `energy.3.csv` (a name without `.csv` gets `.3` appended).
    public func rotatedPath(_ index: Int) -> String { rotation.rotatedPath(index) }

    // MARK: Appending

    /// Queues one row of already formatted fields (quoted here as needed),
    /// then flushes if the interval has passed at `nowSeconds` or the buffer is full.
    public func append(_ fields: [String], nowSeconds: Double) throws(LogError) {
        guard fields.count == header.count else {
            throw LogError(path: path, operation: .append, reason: .invalidValue(
                name: "the row's field count", value: "\(fields.count)", expected: "\(header.count), as in the header"))
        }
        try appendLine(nowSeconds: nowSeconds) { row in
            for field in fields { row.append(field) }
        }
    }

    /// Queues one record, formatted straight into the buffer, then flushes as `append(_:nowSeconds:)` does.
    public func append(_ record: some CSVRecord, nowSeconds: Double) throws(LogError) {
        try appendLine(nowSeconds: nowSeconds) { row in record.appendFields(to: &row) }
    }

    private func appendLine(nowSeconds: Double, _ format: (inout CSVRow) -> Void) throws(LogError) {
        guard file != nil else { throw LogError(path: path, operation: .append, reason: .closed) }
        var row = CSVRow(taking: &pending)
        format(&row)
        guard row.fieldCount == header.count else {
            let count = row.fieldCount
            row.discardLine()
            row.giveBack(to: &pending)
            throw LogError(path: path, operation: .append, reason: .invalidValue(
                name: "the record's field count", value: "\(count)", expected: "\(header.count), as in the header"))
        }
        row.finish()
        row.giveBack(to: &pending)
        recordEnds.append(pending.count)
        recordsWritten += 1
        if pending.count > maxPendingBytes { dropOldest() }

        let last = lastFlushSeconds ?? nowSeconds
        if lastFlushSeconds == nil { lastFlushSeconds = nowSeconds }
        let elapsedSeconds = nowSeconds - last
        // `!(a < b)` so that a NaN time flushes rather than never does; a
        // clock that went backwards flushes too (and restarts the interval).
        if !(elapsedSeconds < flushIntervalSeconds) || elapsedSeconds < 0 || pending.count >= bufferBytes {
            try flush(nowSeconds: nowSeconds)
        }
    }

    // MARK: Flushing

    /// Hands every queued row to the kernel, rotating where the size limit
    /// falls, and with `fsyncOnFlush` to the disk. `nowSeconds` restarts the
    /// flush interval. On an error, rows already written are dropped from
    /// the queue and the rest stay queued for the next flush.
    public func flush(nowSeconds: Double? = nil) throws(LogError) {
        if let nowSeconds { lastFlushSeconds = nowSeconds }
        guard !recordEnds.isEmpty else { return }
        var writtenBytes = 0
        var writtenRecords = 0
        do throws(LogError) {
            while writtenRecords < recordEnds.count {
                guard let current = file else { throw LogError(path: path, operation: .write, reason: .closed) }
                // The records that still fit under rotateBytes.
                let roomBytes = rotateBytes - fileBytes
                var end = writtenRecords
                while end < recordEnds.count && recordEnds[end] - writtenBytes <= roomBytes { end += 1 }
                if end == writtenRecords {
                    if fileBytes > headerLine.count {
                        try rotate()
                        continue
                    }
                    end += 1  // Longer than rotateBytes on its own: alone in a fresh file.
                }
                let endBytes = recordEnds[end - 1]
                let sizeBefore = fileBytes
                if let code = injectedWriteErrno { throw LogError.system(path, .write, errno: code) }
                try current.writeAll(pending, range: writtenBytes..<endBytes, restoringSizeBytes: sizeBefore)
                fileBytes += endBytes - writtenBytes
                bytesFlushed += endBytes - writtenBytes
                recordsFlushed += end - writtenRecords
                writtenBytes = endBytes
                writtenRecords = end
            }
            if fsyncOnFlush, let file { try file.sync() }
        } catch {
            dropFlushed(bytes: writtenBytes, records: writtenRecords)
            throw error
        }
        pending.removeAll(keepingCapacity: true)
        recordEnds.removeAll(keepingCapacity: true)
    }

    /// Flushes, then closes the file. Appending after this is an error; closing again does nothing.
    public func close() throws(LogError) {
        guard let current = file else { return }
        try flush()
        file = nil
        try current.close()
    }

    /// The oldest queued rows, until the queue is within `maxPendingBytes`.
    private func dropOldest() {
        var records = 0
        while records < recordEnds.count - 1 && pending.count - recordEnds[records] > maxPendingBytes { records += 1 }
        records += 1
        let bytes = recordEnds[records - 1]
        recordsDropped += records
        dropFlushed(bytes: bytes, records: records)
    }

    private func dropFlushed(bytes: Int, records: Int) {
        guard records > 0 else { return }
        pending.removeSubrange(0..<bytes)
        recordEnds.removeSubrange(0..<records)
        for k in recordEnds.indices { recordEnds[k] -= bytes }
    }

    // MARK: Opening and rotating

    /// Opens (or creates) the file at `path`: repairs a torn tail, moves a
    /// file with another header aside, and starts an empty file with the header.
    private func openLog() throws(LogError) {
        var opened = try LogFileDescriptor.openForAppending(path)
        let sizeBytes: Int
        let existing: ExistingLog
        do throws(LogError) {
            sizeBytes = try opened.sizeBytes()
            existing = try ExistingLog.inspect(opened, sizeBytes: sizeBytes, expectedHeader: headerLine)
        } catch {
            opened.closeQuietly()
            throw error
        }

        if existing.hasOurHeader {
            if existing.completeBytes < sizeBytes {
                do throws(LogError) {
                    try opened.truncate(toBytes: existing.completeBytes, operation: .repairTornLine)
                } catch {
                    opened.closeQuietly()
                    throw error
                }
                repairedBytes += sizeBytes - existing.completeBytes
            }
            fileBytes = existing.completeBytes
        } else {
            opened.closeQuietly()
            // Only a log this writer's kind made is ever renamed: its first column is ours (an older
            // layout of the same log). Anything else is someone's file, left exactly as it is.
            guard existing.firstLineStarts(withColumnOf: headerLine) else {
                throw LogError(path: path, operation: .moveAside, reason: .malformed(
                    line: 1, found: existing.firstLinePreview,
                    expected: "a log this firmware wrote (first column '\(String(decoding: headerLine.prefix { $0 != 0x2C && $0 != CSVRow.lineFeed }, as: UTF8.self))'); "
                        + "the file is not one and is left untouched: give another log path (--log), or move the file away"))
            }
            guard keepRotated > 0 else {
                throw LogError(path: path, operation: .moveAside, reason: .malformed(
                    line: 1, found: "another header, \(existing.firstLinePreview)",
                    expected: "this log's header, or keepRotated of 1 or more to move the file aside; move or remove it"))
            }
            try rotation.rotate(operation: .moveAside)
            movedAsidePath = rotation.rotatedPath(1)
            opened = try LogFileDescriptor.openForAppending(path)
            fileBytes = 0
        }

        if fileBytes == 0 {
            do throws(LogError) {
                try opened.writeAll(headerLine, range: 0..<headerLine.count, restoringSizeBytes: 0)
                if fsyncOnFlush {
                    try opened.sync()
                    try LogFileSystem.syncDirectory(of: path)
                }
            } catch {
                opened.closeQuietly()
                throw error
            }
            fileBytes = headerLine.count
        }
        file = opened
    }

    private func rotate() throws(LogError) {
        guard let current = file else { throw LogError(path: path, operation: .rotate, reason: .closed) }
        // Closed from here on: if a step below fails the writer stays closed
        // (the rows stay queued) rather than appending to a file half rotated.
        file = nil
        if fsyncOnFlush {
            do throws(LogError) { try current.sync() } catch {
                current.closeQuietly()
                throw error
            }
        }
        try current.close()
        try rotation.rotate(operation: .rotate)
        if fsyncOnFlush { try LogFileSystem.syncDirectory(of: path) }
        rotations += 1
        try openLog()
    }
}

/// What an existing log file holds, from one pass over it with a fixed buffer.
private struct ExistingLog {
    /// Bytes up to the end of the last complete record (a line feed outside quotes).
    var completeBytes = 0
    /// The first line is the expected header, or a torn start of it.
    var hasOurHeader = true
    /// The first line's start, for an error message.
    var firstLinePreview = ""
    /// The first line's first bytes, up to and including its first comma or line feed.
    var firstLineHead: [UInt8] = []

    /// Whether the first line's first column is `header`'s first column.
    func firstLineStarts(withColumnOf header: [UInt8]) -> Bool {
        let column = header.prefix { $0 != 0x2C && $0 != CSVRow.lineFeed }
        return firstLineHead.count > column.count && firstLineHead.starts(with: column)
            && (firstLineHead[column.count] == 0x2C || firstLineHead[column.count] == CSVRow.lineFeed)
    }

    static func inspect(_ file: LogFileDescriptor, sizeBytes: Int, expectedHeader: [UInt8]) throws(LogError) -> ExistingLog {
        var result = ExistingLog()
        guard sizeBytes > 0 else { return result }
        var boundaries = CSVRecordBoundaries()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var offset = 0
        var firstRecordEnd: Int?
        var firstLine: [UInt8] = []
        while offset < sizeBytes {
            let count = try file.read(into: &chunk, range: 0..<chunk.count, atOffset: offset, operation: .inspect)
            if count == 0 { break }  // Shrunk under us: what was read is what there is.
            for k in 0..<count {
                let byte = chunk[k]
                let position = offset + k
                if firstRecordEnd == nil {
                    if position < expectedHeader.count + 1 { firstLine.append(byte) }
                    if position >= expectedHeader.count || byte != expectedHeader[position] { result.hasOurHeader = false }
                }
                if boundaries.consume(byte) {
                    result.completeBytes = position + 1
                    if firstRecordEnd == nil { firstRecordEnd = position + 1 }
                }
            }
            offset += count
        }
        // A header that ended, but early (a prefix of ours), is not ours either.
        if let firstRecordEnd, firstRecordEnd != expectedHeader.count { result.hasOurHeader = false }
        if let end = firstLine.firstIndex(where: { $0 == 0x2C || $0 == CSVRow.lineFeed }) {
            result.firstLineHead = Array(firstLine[...end])
        }
        let shown = firstLine.prefix(while: { $0 != CSVRow.lineFeed })
        result.firstLinePreview = "'" + String(decoding: shown.prefix(80), as: UTF8.self) + (shown.count > 80 ? "…'" : "'")
        return result
    }
}
