import Foundation
import Testing
@testable import Firmware

@Suite("CSV format: RFC 4180 fields, numbers that round-trip")
struct CSVFormatTests {
    func line(_ build: (inout CSVRow) -> Void) -> String {
        var row = CSVRow()
        build(&row)
        row.finish()
        return String(decoding: row.bytes, as: UTF8.self)
    }

    @Test func plainFieldsAreWrittenAsTheyAre() {
        #expect(line { $0.append("yes"); $0.append("two words"); $0.append(" padded "); $0.append("héllo") }
            == "yes,two words, padded ,héllo\n")
    }

    @Test(arguments: [
        ("a,b", "\"a,b\""),
        ("say \"go\"", "\"say \"\"go\"\"\""),
        ("\"", "\"\"\"\""),
        ("line\nbreak", "\"line\nbreak\""),
        ("carriage\rreturn", "\"carriage\rreturn\""),
        ("crlf\r\n", "\"crlf\r\n\""),
    ])
    func aFieldIsQuotedOnlyWhenItHoldsACommaAQuoteOrALineBreak(field: String, written: String) throws {
        #expect(line { $0.append("1"); $0.append(field) } == "1,\(written)\n")
        let read = try CSVLogReader(bytes: Array("n,keyword\n1,\(written)\n".utf8), path: "test")
        #expect(read.rows == [["1", field]])
    }

    @Test func aKeywordWithACommaAndQuotesSurvivesTheFileRoundTrip() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try CSVLogWriter(path: dir.path("log.csv"), header: ["time_s", "keyword"], flushIntervalSeconds: 0,
                                   rotateBytes: 4096, keepRotated: 1)
        try log.append(["1", "say \"yes\", then"], nowSeconds: 0)
        try log.close()
        #expect(try dir.text("log.csv") == "time_s,keyword\n1,\"say \"\"yes\"\", then\"\n")
        #expect(try CSVLogReader(path: dir.path("log.csv")).rows == [["1", "say \"yes\", then"]])
    }

    @Test(arguments: [0.000125, 1e-05, 0.1 + 0.2, 1.0 / 3.0, -2.5e-300, 6.02214076e23, 0, -0.0,
                      Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude])
    func aDoubleIsWrittenInAFormThatReadsBackToTheSameValue(value: Double) throws {
        let text = line { $0.append(value) }.dropLast()
        let back = try #require(Double(String(text)))
        #expect(back == value && back.sign == value.sign)
        #expect(!text.contains(","))
    }

    @Test func nonFiniteNumbersAndNilAreEmptyFieldsNeverInfOrNan() {
        #expect(line {
            $0.append(1.5); $0.append(Double.nan); $0.append(Double.infinity); $0.append(-Double.infinity)
            $0.append(Double?.none); $0.append(Double?.some(2)); $0.appendEmpty()
        } == "1.5,,,,,2.0,\n")
    }

    @Test func integersAreWrittenInDecimal() {
        #expect(line { $0.append(0); $0.append(7); $0.append(-42); $0.append(1_000_000); $0.append(Int.max); $0.append(Int.min) }
            == "0,7,-42,1000000,\(Int.max),\(Int.min)\n")
    }

    /// A bare empty line is one that pandas skips; a lone empty field is written as "".
    @Test func aRowOfOneEmptyFieldIsNotAnEmptyLine() throws {
        #expect(line { $0.append("") } == "\"\"\n")
        let read = try CSVLogReader(bytes: Array("keyword\n\"\"\nyes\n".utf8), path: "test")
        #expect(read.rows == [[""], ["yes"]])
    }

    @Test func aWrittenFileIsStrictRFC4180WithLineFeedEndings() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let header = ["time_s", "a \"quoted\" name", "keyword", "energy_j"]
        let log = try CSVLogWriter(path: dir.path("log.csv"), header: header, flushIntervalSeconds: 0,
                                   rotateBytes: 1 << 20, keepRotated: 1)
        let keywords = ["yes", "", "x,y", "\"", "multi\nline", "tab\there", "ünïcödé"]
        for (k, keyword) in keywords.enumerated() {
            try log.append(["\(Double(k) * 0.1)", "v", keyword, "\(Double(k) * 1e-6)"], nowSeconds: 0)
        }
        try log.close()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.path("log.csv"))))
        #expect(!bytes.contains(UInt8(ascii: "\r")))
        #expect(bytes.last == UInt8(ascii: "\n"))
        // The strict reader accepts it and gets every field back exactly.
        let read = try CSVLogReader(bytes: bytes, path: "log.csv")
        #expect(read.header == header)
        #expect(read.rows.map { $0[2] } == keywords)
        #expect(read.tornTailBytes == 0)
    }
}
