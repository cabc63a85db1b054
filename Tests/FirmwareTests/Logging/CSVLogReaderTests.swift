import Foundation
import Testing
@testable import Firmware

@Suite("CSV log reader")
struct CSVLogReaderTests {
    func read(_ text: String) throws(LogError) -> CSVLogReader {
        try CSVLogReader(bytes: Array(text.utf8), path: "energy.csv")
    }

    @Test func theHeaderAndRowsAreReadWithLFOrCRLFEndings() throws {
        let lf = try read("a,b\n1,2\n3,\n")
        #expect(lf.header == ["a", "b"])
        #expect(lf.rows == [["1", "2"], ["3", ""]])
        #expect(try read("a,b\r\n1,2\r\n3,\r\n").rows == lf.rows)
        #expect(lf.column("b") == ["2", ""])
        #expect(lf.column("c") == nil)
    }

    @Test func aTornTailIsReportedAndNotTakenForARow() throws {
        let read = try read("a,b\n1,2\n3,\"4\n5")
        #expect(read.rows == [["1", "2"]])
        #expect(read.tornTailBytes == 6)
        #expect(try self.read("a,b\n1,2\n").tornTailBytes == 0)
    }

    @Test func aRowOfAnotherWidthIsAnErrorNamingItsLine() throws {
        // The quoted line break makes the bad row start on line 4.
        #expect {
            try read("a,b\n\"x\ny\",1\n1,2,3\n")
        } throws: { error in
            guard let error = error as? LogError, case .malformed(let line, let found, _) = error.reason else { return false }
            return line == 4 && found == "3 fields" && "\(error)".contains("energy.csv") && "\(error)".contains("line 4")
        }
    }

    @Test(arguments: [
        ("a,b\n1,x\"y\n", "a quote inside an unquoted field"),
        ("a,b\n1,\"x\"y\n", "text after a closing quote"),
        ("a,b\n1,2\r3\n", "a carriage return alone"),
    ])
    func malformedQuotingIsAnErrorNamingTheLine(text: String, problem: String) throws {
        #expect {
            try read(text)
        } throws: { error in
            "\(error)".contains("line 2") && "\(error)".contains(problem)
        }
    }

    @Test func aFileWithoutAWholeHeaderLineIsAnError() throws {
        #expect(throws: LogError.self) { try read("") }
        #expect(throws: LogError.self) { try read("time_s,kin") }
    }

    @Test func aMissingFileIsAnErrorNamingIt() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let path = dir.path("absent.csv")
        #expect {
            try CSVLogReader(path: path)
        } throws: { error in
            (error as? LogError)?.errno == ENOENT && "\(error)".contains(path)
        }
    }
}
