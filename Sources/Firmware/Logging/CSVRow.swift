/// One CSV line being formatted straight into a byte buffer, in the dialect
/// the energy log promises: RFC 4180 fields (a field is quoted only when it
/// holds a comma, a quote, a CR or an LF, and a quote inside is doubled),
/// lines ending in LF, UTF-8. pandas' `read_csv` and spreadsheets read it
/// as it is.
///
/// Numbers: integers in decimal; a Double in Swift's shortest form that
/// reads back to the same value (`"\(x)"`, e.g. `0.000125`, `1e-05`); a
/// non-finite Double or a nil is an empty field, which pandas reads as NaN
/// — never `inf` or `nan`, which not every reader accepts.
public struct CSVRow {
    /// The buffer the line is appended to (a writer lends its own).
    public internal(set) var bytes: [UInt8]
    /// Fields appended so far on this line.
    public private(set) var fieldCount = 0
    private var lineStart: Int

    /// Starts a line at the end of `bytes`.
    public init(appendingTo bytes: [UInt8] = []) {
        self.bytes = bytes
        lineStart = bytes.count
    }

    /// Starts a line at the end of `buffer`, taking the buffer over (a swap,
    /// so its storage stays uniquely owned and appending never copies it);
    /// `giveBack(to:)` returns it.
    init(taking buffer: inout [UInt8]) {
        bytes = []
        lineStart = 0
        swap(&bytes, &buffer)
        lineStart = bytes.count
    }

    mutating func giveBack(to buffer: inout [UInt8]) {
        swap(&bytes, &buffer)
    }

    /// Drops this line's bytes (the buffer keeps its capacity).
    mutating func discardLine() {
        bytes.removeSubrange(lineStart...)
        fieldCount = 0
    }

    public mutating func append(_ text: some StringProtocol) {
        separate()
        let utf8 = text.utf8
        guard utf8.contains(where: Self.needsQuoting) else {
            bytes.append(contentsOf: utf8)
            return
        }
        bytes.append(Self.quote)
        for byte in utf8 {
            if byte == Self.quote { bytes.append(Self.quote) }
            bytes.append(byte)
        }
        bytes.append(Self.quote)
    }

    public mutating func append(_ value: Int) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // Digits least significant first, then reversed in place: no String.
        var magnitude = value.magnitude
        let first = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[first..<bytes.count].reverse()
    }

    public mutating func append(_ value: Double) {
        guard value.isFinite else { return appendEmpty() }
        separate()
        bytes.append(contentsOf: "\(value)".utf8)
    }

    public mutating func append(_ value: Double?) {
        guard let value else { return appendEmpty() }
        append(value)
    }

    public mutating func appendEmpty() {
        separate()
    }

    /// Ends the line. A line of one empty field is written `""`: a bare
    /// empty line is one that pandas skips.
    mutating func finish() {
        if fieldCount == 1 && bytes.count == lineStart {
            bytes.append(Self.quote)
            bytes.append(Self.quote)
        }
        bytes.append(Self.lineFeed)
    }

    /// The line's bytes so far, from its start.
    var lineBytes: Int { bytes.count - lineStart }

    private mutating func separate() {
        if fieldCount > 0 { bytes.append(UInt8(ascii: ",")) }
        fieldCount += 1
    }

    static let quote = UInt8(ascii: "\"")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")

    private static func needsQuoting(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == quote || byte == lineFeed || byte == carriageReturn
    }

    /// The line for `fields` (a header, say), with its line feed.
    static func line(_ fields: [String]) -> [UInt8] {
        var row = CSVRow()
        for field in fields { row.append(field) }
        row.finish()
        return row.bytes
    }
}

/// A row type the log can format without building an array of strings.
public protocol CSVRecord {
    /// Column names, in the order `appendFields` writes them.
    static var header: [String] { get }
    /// Appends exactly `Self.header.count` fields.
    func appendFields(to row: inout CSVRow)
}

/// Finds where records end in CSV bytes fed in order: a line feed outside
/// quotes. Quotes simply toggle, which RFC 4180 makes exact (a doubled
/// quote inside a field toggles twice), so a line feed inside a quoted
/// field is never taken for the end of a record.
struct CSVRecordBoundaries {
    private(set) var insideQuotes = false

    /// True when `byte` ends a record.
    mutating func consume(_ byte: UInt8) -> Bool {
        if byte == CSVRow.quote {
            insideQuotes.toggle()
            return false
        }
        return byte == CSVRow.lineFeed && !insideQuotes
    }
}
