/// A CSV log read back: the header, the rows, and any torn tail. Strict
/// RFC 4180 (the dialect `CSVLogWriter` writes): fields quoted only as
/// needed, a quote inside a quoted field doubled, records ending in LF (or
/// CRLF), every row as wide as the header. Anything else is an error naming
/// the line, so a reader never guesses. For tests and tools; it reads the
/// whole file into memory.
public struct CSVLogReader: Sendable, Hashable {
    public let path: String
    public let header: [String]
    public let rows: [[String]]
    /// Bytes after the last complete record (no line feed ends them): what
    /// a kill or a power cut left half written, and what `CSVLogWriter`
    /// cuts off when it opens the file.
    public let tornTailBytes: Int

    public init(path: String) throws(LogError) {
        let file = try LogFileDescriptor.openForReading(path)
        defer { file.closeQuietly() }
        let sizeBytes = try file.sizeBytes()
        var bytes = [UInt8](repeating: 0, count: sizeBytes)
        var filled = 0
        while filled < sizeBytes {
            let count = try file.read(into: &bytes, range: filled..<sizeBytes, atOffset: filled, operation: .read)
            if count == 0 { break }
            filled += count
        }
        try self.init(bytes: bytes[..<filled], path: path)
    }

    /// Parses CSV bytes; `path` only names them in errors.
    public init(bytes: some Collection<UInt8>, path: String) throws(LogError) {
        var parser = CSVParser(path: path)
        for byte in bytes { try parser.consume(byte) }
        let tornTailBytes = parser.tornBytes
        var records = parser.records
        guard !records.isEmpty else {
            throw LogError(path: path, operation: .parse, reason: .malformed(
                line: 1, found: bytes.isEmpty ? "an empty file" : "no complete line",
                expected: "a header line ending in a line feed"))
        }
        let header = records.removeFirst().fields
        for record in records where record.fields.count != header.count {
            throw LogError(path: path, operation: .parse, reason: .malformed(
                line: record.line, found: "\(record.fields.count) fields",
                expected: "\(header.count), as in the header"))
        }
        self.path = path
        self.header = header
        self.rows = records.map(\.fields)
        self.tornTailBytes = tornTailBytes
    }

    /// The values of the column named `name`, one per row; nil if there is no such column.
    public func column(_ name: String) -> [String]? {
        guard let index = header.firstIndex(of: name) else { return nil }
        return rows.map { $0[index] }
    }
}

/// RFC 4180 as a byte state machine. A record's fields are kept only once
/// its line feed arrives, so an unterminated tail is counted, not parsed.
private struct CSVParser {
    struct Record {
        var line: Int
        var fields: [String]
    }

    private enum State {
        case fieldStart, unquoted, quoted, quoteInQuoted, carriageReturn
    }

    let path: String
    private(set) var records: [Record] = []
    /// Bytes since the end of the last complete record.
    private(set) var tornBytes = 0
    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var line = 1
    private var recordLine = 1

    init(path: String) { self.path = path }

    mutating func consume(_ byte: UInt8) throws(LogError) {
        tornBytes += 1
        switch state {
        case .fieldStart:
            switch byte {
            case CSVRow.quote: state = .quoted
            case UInt8(ascii: ","): endField()
            case CSVRow.lineFeed: endRecord()
            case CSVRow.carriageReturn: state = .carriageReturn
            default:
                field.append(byte)
                state = .unquoted
            }
        case .unquoted:
            switch byte {
            case UInt8(ascii: ","): endField()
            case CSVRow.lineFeed: endRecord()
            case CSVRow.carriageReturn: state = .carriageReturn
            case CSVRow.quote: throw malformed("a quote inside an unquoted field", "quotes only around a whole field")
            default: field.append(byte)
            }
        case .quoted:
            if byte == CSVRow.quote {
                state = .quoteInQuoted
            } else {
                if byte == CSVRow.lineFeed { line += 1 }
                field.append(byte)
            }
        case .quoteInQuoted:
            switch byte {
            case CSVRow.quote:
                field.append(byte)
                state = .quoted
            case UInt8(ascii: ","): endField()
            case CSVRow.lineFeed: endRecord()
            case CSVRow.carriageReturn: state = .carriageReturn
            default: throw malformed("text after a closing quote", "a comma or the end of the line")
            }
        case .carriageReturn:
            guard byte == CSVRow.lineFeed else { throw malformed("a carriage return alone", "CR only before LF, or inside quotes") }
            endRecord()
        }
    }

    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
    }

    private mutating func endRecord() {
        endField()
        records.append(Record(line: recordLine, fields: fields))
        fields.removeAll(keepingCapacity: true)
        line += 1
        recordLine = line
        tornBytes = 0
    }

    private func malformed(_ found: String, _ expected: String) -> LogError {
        LogError(path: path, operation: .parse, reason: .malformed(line: line, found: found, expected: expected))
    }
}
