import Foundation
import Testing
@testable import Firmware

@Suite("CSV log writer: flushing, durability, repair")
struct CrashSafeLogTests {
    let header = ["time_s", "keyword", "energy_j"]
    let headerLine = "time_s,keyword,energy_j\n"

    func writer(_ path: String, flushSeconds: Double = 5, rotateBytes: Int = 1 << 20, keep: Int = 3,
                bufferBytes: Int = 64 * 1024) throws -> CSVLogWriter {
        try CSVLogWriter(path: path, header: header, flushIntervalSeconds: flushSeconds, rotateBytes: rotateBytes,
                         keepRotated: keep, bufferBytes: bufferBytes)
    }

    @Test func aNewFileHoldsOnlyTheHeaderLine() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try writer(dir.path("log.csv"))
        #expect(try dir.text("log.csv") == headerLine)
        #expect(log.repairedBytes == 0)
        #expect(log.movedAsidePath == nil)
        try log.close()
    }

    @Test func appendedRowsReadBackThroughTheReader() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try writer(dir.path("log.csv"))
        let rows = [["0.5", "yes", "0.000125"], ["1.5", "", "1e-05"], ["2.5", "no", "3.25"]]
        for (k, row) in rows.enumerated() { try log.append(row, nowSeconds: Double(k)) }
        try log.close()
        let read = try CSVLogReader(path: dir.path("log.csv"))
        #expect(read.header == header)
        #expect(read.rows == rows)
        #expect(read.tornTailBytes == 0)
        #expect(log.recordsWritten == 3)
        #expect(log.recordsFlushed == 3)
        #expect(log.bytesFlushed == (try dir.text("log.csv")).utf8.count - headerLine.utf8.count)
    }

    @Test func rowsReachTheFileOnlyOnceTheFlushIntervalHasPassed() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try writer(dir.path("log.csv"), flushSeconds: 5)
        try log.append(["0", "yes", "1"], nowSeconds: 10)
        try log.append(["2", "", "2"], nowSeconds: 12)
        try log.append(["4.9", "no", "3"], nowSeconds: 14.9)
        #expect(try dir.text("log.csv") == headerLine)
        #expect(log.recordsPending == 3)
        #expect(log.recordsFlushed == 0)

        try log.append(["5", "go", "4"], nowSeconds: 15)
        #expect(try dir.text("log.csv") == headerLine + "0,yes,1\n2,,2\n4.9,no,3\n5,go,4\n")
        #expect(log.recordsPending == 0)
        #expect(log.recordsFlushed == 4)

        // The interval restarts at the flush.
        try log.append(["9", "", "5"], nowSeconds: 19.9)
        #expect(log.recordsPending == 1)
        try log.append(["10", "", "6"], nowSeconds: 20)
        #expect(log.recordsPending == 0)
    }

    @Test func aFullBufferIsFlushedBeforeTheInterval() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try writer(dir.path("log.csv"), flushSeconds: 3600, bufferBytes: 64)
        var appended = 0
        while log.recordsFlushed == 0 && appended < 100 {
            try log.append(["\(appended)", "word", "0.5"], nowSeconds: 0)
            appended += 1
        }
        #expect(log.recordsFlushed == appended)
        #expect(log.bytesFlushed >= 64)
        #expect(try CSVLogReader(path: dir.path("log.csv")).rows.count == appended)
    }

    /// What a kill would leave: whatever is in the file at any moment.
    @Test func theFileHoldsOnlyWholeRecordsAtEveryMoment() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try writer(dir.path("log.csv"), flushSeconds: 0.35, rotateBytes: 600, keep: 100, bufferBytes: 128)
        for k in 0..<300 {
            try log.append(["\(Double(k) / 10)", k % 7 == 0 ? "say \"go\",\nnow" : "w", "\(k)"], nowSeconds: Double(k) / 10)
            let onDisk = try CSVLogReader(path: dir.path("log.csv"))
            #expect(onDisk.tornTailBytes == 0)
            #expect(onDisk.header == header)
        }
        try log.close()
    }

    @Test func closeFlushesAndAppendingAfterItIsAnError() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try writer(dir.path("log.csv"), flushSeconds: 3600)
        try log.append(["1", "yes", "2"], nowSeconds: 0)
        try log.close()
        #expect(try dir.text("log.csv") == headerLine + "1,yes,2\n")
        try log.close()
        #expect(throws: LogError.self) { try log.append(["2", "no", "3"], nowSeconds: 1) }
    }

    @Test func aTornLastLineIsCutBackOnReopenAndAppendingContinues() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        try dir.write(headerLine + "1,yes,0.1\n2,no,0.2\n3,ma", to: "log.csv")
        let log = try writer(dir.path("log.csv"))
        #expect(log.repairedBytes == 4)
        #expect(try dir.text("log.csv") == headerLine + "1,yes,0.1\n2,no,0.2\n")
        try log.append(["3", "go", "0.3"], nowSeconds: 0)
        try log.close()
        #expect(try dir.text("log.csv") == headerLine + "1,yes,0.1\n2,no,0.2\n3,go,0.3\n")
    }

    /// A line feed inside a quoted field does not end a record, so a record
    /// torn after one is still cut back whole.
    @Test func aTornRecordWithALineFeedInsideQuotesIsCutBackWhole() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let torn = "2,\"say\nmo"
        try dir.write(headerLine + "1,\"a,\"\"b\"\"\nc\",0.1\n" + torn, to: "log.csv")
        let log = try writer(dir.path("log.csv"))
        #expect(log.repairedBytes == torn.utf8.count)
        try log.close()
        let read = try CSVLogReader(path: dir.path("log.csv"))
        #expect(read.rows == [["1", "a,\"b\"\nc", "0.1"]])
        #expect(read.tornTailBytes == 0)
    }

    @Test func aTornHeaderIsReplacedByAWholeOne() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        try dir.write("time_s,key", to: "log.csv")
        let log = try writer(dir.path("log.csv"))
        #expect(log.repairedBytes == 10)
        #expect(log.movedAsidePath == nil)
        #expect(try dir.text("log.csv") == headerLine)
        #expect(try dir.names() == ["log.csv"])
    }

    /// A log of an older layout (its first column is ours, the rest is not)
    /// is rotated aside into the set, never mixed with new rows.
    @Test func aLogOfAnotherLayoutIsRotatedAsideNotMixed() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        try dir.write("time_s,energy_j\n1,2\n", to: "log.csv")
        try dir.write("time_s,keyword,energy_j\n0,older,1\n", to: "log.1.csv")
        let log = try writer(dir.path("log.csv"))
        try log.append(["1", "yes", "2"], nowSeconds: 0)
        try log.close()
        #expect(log.movedAsidePath == dir.path("log.1.csv"))
        #expect(log.repairedBytes == 0)
        #expect(try dir.text("log.csv") == headerLine + "1,yes,2\n")
        #expect(try dir.text("log.1.csv") == "time_s,energy_j\n1,2\n")
        #expect(try dir.text("log.2.csv") == "time_s,keyword,energy_j\n0,older,1\n")
    }

    /// A file the log did not write (`--log` pointed at someone's data) is
    /// never renamed, cut or appended to: refused, naming the file, what it
    /// starts with, and how to proceed.
    @Test(arguments: ["a,b\n1,2\n", "a,b", "time_sheet,b\n", "#!/bin/sh\n"])
    func aFileThisLogDidNotWriteIsRefusedAndLeftUntouched(contents: String) throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        try dir.write(contents, to: "log.csv")
        let path = dir.path("log.csv")
        #expect {
            try writer(path)
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && text.contains("first column 'time_s'") && text.contains("--log") && text.contains("left untouched")
        }
        #expect(try dir.text("log.csv") == contents)
        #expect(try dir.names() == ["log.csv"])
    }

    @Test func aHeaderThatIsOnlyAPrefixOfOursIsAnotherHeader() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        try dir.write("time_s,keyword\n1,yes\n", to: "log.csv")
        let log = try writer(dir.path("log.csv"))
        #expect(log.movedAsidePath == dir.path("log.1.csv"))
        #expect(try dir.text("log.1.csv") == "time_s,keyword\n1,yes\n")
    }

    @Test func anotherHeaderWithNowhereToRotateIsAnErrorAndTheFileIsLeftAlone() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        try dir.write("time_s,b\n1,2\n", to: "log.csv")
        let path = dir.path("log.csv")
        #expect {
            try writer(path, keep: 0)
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && text.contains("'time_s,b'") && text.contains("keepRotated")
        }
        #expect(try dir.text("log.csv") == "time_s,b\n1,2\n")
        #expect(try dir.names() == ["log.csv"])
    }

    @Test func aRowOfTheWrongWidthIsRefusedAndLeavesNoTrace() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try writer(dir.path("log.csv"))
        #expect {
            try log.append(["1", "2"], nowSeconds: 0)
        } throws: { error in
            "\(error)".contains("2") && "\(error)".contains("3, as in the header")
        }
        try log.append(["1", "yes", "2"], nowSeconds: 0)
        try log.close()
        #expect(try dir.text("log.csv") == headerLine + "1,yes,2\n")
        #expect(log.recordsWritten == 1)
    }

    @Test func aRecordOfTheWrongWidthIsRefusedAndLeavesNoTrace() throws {
        struct TwoColumns: CSVRecord {
            static let header = ["a", "b"]
            func appendFields(to row: inout CSVRow) {
                row.append(1)
                row.append("x")
            }
        }
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try writer(dir.path("log.csv"))
        #expect(throws: LogError.self) { try log.append(TwoColumns(), nowSeconds: 0) }
        try log.append(["1", "yes", "2"], nowSeconds: 0)
        try log.close()
        #expect(try dir.text("log.csv") == headerLine + "1,yes,2\n")
    }

    /// A full disk: flushes fail, the rows stay queued up to `maxPendingBytes`
    /// (the oldest dropped and counted beyond it), nothing half-written
    /// stays in the file, and when space returns the kept rows go out whole.
    @Test func aFullDiskKeepsBoundedRowsAndWritingResumesWhenSpaceReturns() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try writer(dir.path("log.csv"), flushSeconds: 0, bufferBytes: 64)
        log.maxPendingBytes = 200
        try log.append(["0", "before", "0"], nowSeconds: 0)
        log.injectedWriteErrno = ENOSPC
        var failures = 0
        for k in 1...50 {
            do throws(LogError) { try log.append(["\(k)", "full", "\(k)"], nowSeconds: Double(k)) } catch {
                failures += 1
                #expect(error.errno == ENOSPC && "\(error)".contains(dir.path("log.csv")))
            }
        }
        #expect(failures == 50)
        #expect(log.recordsDropped > 0 && log.recordsPending + log.recordsDropped == 50)
        #expect(try dir.text("log.csv") == headerLine + "0,before,0\n", "nothing half-written while the disk is full")
        log.injectedWriteErrno = nil
        try log.append(["51", "after", "51"], nowSeconds: 51)
        try log.close()
        let lines = try dir.text("log.csv").split(separator: "\n").map(String.init)
        #expect(lines.first == headerLine.dropLast().description && lines[1] == "0,before,0" && lines.last == "51,after,51")
        #expect(lines.count == 2 + (50 - log.recordsDropped) + 1, "the kept rows, in order, whole")
        #expect(lines.dropFirst(2).dropLast().map { $0.split(separator: ",")[0] } == (log.recordsDropped + 1...50).map { Substring("\($0)") })
    }
}
