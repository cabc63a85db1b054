import Foundation
import Testing
@testable import Firmware

@Suite("CSV log writer: rotation by size")
struct LogRotationTests {
    let header = ["time_s", "keyword", "energy_j"]

    func writer(_ path: String, flushSeconds: Double = 0, rotateBytes: Int, keep: Int) throws -> CSVLogWriter {
        try CSVLogWriter(path: path, header: header, flushIntervalSeconds: flushSeconds, rotateBytes: rotateBytes,
                         keepRotated: keep)
    }

    /// The rotated set read oldest first: each file parsed on its own.
    func readSet(_ log: CSVLogWriter, files: Int) throws -> [CSVLogReader] {
        let paths = (1...max(1, files - 1)).reversed().map(log.rotatedPath) + [log.path]
        return try paths.suffix(files).map { path throws in try CSVLogReader(path: path) }
    }

    @Test func everyFileStartsWithTheHeaderHoldsWholeRecordsAndNoRecordIsLostOrRepeated() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let rotateBytes = 1000
        // Flushes of about ten records at once, so flushes straddle the size limit.
        let log = try writer(dir.path("log.csv"), flushSeconds: 10, rotateBytes: rotateBytes, keep: 100)
        for k in 0..<1500 {
            let keyword = k % 13 == 0 ? "up, \"down\"\nleft" : "w\(k % 10)"
            try log.append(["\(k)", keyword, "0.000125"], nowSeconds: Double(k))
        }
        try log.close()
        #expect(log.rotations >= 10)
        #expect(log.rotations < 100)

        var numbers: [Int] = []
        for file in try readSet(log, files: log.rotations + 1) {
            #expect(file.header == header)
            #expect(file.tornTailBytes == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: file.path)).count <= rotateBytes)
            numbers += file.rows.map { Int($0[0]) ?? -1 }
            for row in file.rows {
                let k = Int(row[0]) ?? -1
                #expect(row[1] == (k % 13 == 0 ? "up, \"down\"\nleft" : "w\(k % 10)"))
            }
        }
        #expect(numbers == Array(0..<1500))
        #expect(log.recordsFlushed == 1500)
    }

    /// fsync of each flush, of a file before it is rotated, and of the directory after a rename.
    @Test func withFsyncOnFlushRotationGivesTheSameFiles() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        var contents: [[String]] = []
        for (name, fsync) in [("plain", false), ("synced", true)] {
            try FileManager.default.createDirectory(atPath: dir.path(name), withIntermediateDirectories: false)
            let log = try CSVLogWriter(path: dir.path("\(name)/log.csv"), header: header, flushIntervalSeconds: 3,
                                       rotateBytes: 300, keepRotated: 5, fsyncOnFlush: fsync)
            for k in 0..<60 { try log.append(["\(k)", "w", "1"], nowSeconds: Double(k)) }
            try log.close()
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path(name)).sorted()
            contents.append(try names.map { try dir.text("\(name)/\($0)") })
        }
        #expect(contents[0].count > 1)
        #expect(contents[0] == contents[1])
    }

    @Test func onlyKeepRotatedFilesAreKeptAndTheyHoldTheNewestRecords() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try writer(dir.path("log.csv"), rotateBytes: 500, keep: 2)
        for k in 0..<1000 { try log.append(["\(k)", "w", "1"], nowSeconds: Double(k)) }
        try log.close()
        #expect(log.rotations > 2)
        #expect(try dir.names() == ["log.1.csv", "log.2.csv", "log.csv"])
        let numbers = try readSet(log, files: 3).flatMap { $0.rows.map { Int($0[0]) ?? -1 } }
        #expect(numbers.last == 999)
        #expect(numbers == Array((1000 - numbers.count)..<1000))
    }

    @Test func keepRotatedZeroKeepsOnlyTheCurrentFile() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try writer(dir.path("log.csv"), rotateBytes: 300, keep: 0)
        for k in 0..<200 { try log.append(["\(k)", "w", "1"], nowSeconds: Double(k)) }
        try log.close()
        #expect(log.rotations > 0)
        #expect(try dir.names() == ["log.csv"])
        let rows = try CSVLogReader(path: log.path).rows
        #expect(rows.last?[0] == "199")
    }

    @Test func aRecordLongerThanTheLimitGetsAFileOfItsOwn() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let log = try writer(dir.path("log.csv"), rotateBytes: 100, keep: 10)
        let long = String(repeating: "x", count: 250)
        try log.append(["0", "a", "1"], nowSeconds: 0)
        try log.append(["1", long, "1"], nowSeconds: 1)
        try log.append(["2", "b", "1"], nowSeconds: 2)
        try log.close()
        let files = try readSet(log, files: 3)
        #expect(files.map(\.rows) == [[["0", "a", "1"]], [["1", long, "1"]], [["2", "b", "1"]]])
    }

    @Test func aReopenedFullFileRotatesAtTheNextFlush() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let first = try writer(dir.path("log.csv"), rotateBytes: 200, keep: 3)
        for k in 0..<9 { try first.append(["\(k)", "w", "1"], nowSeconds: Double(k)) }
        try first.close()
        #expect(first.rotations == 0)

        let second = try writer(dir.path("log.csv"), rotateBytes: 200, keep: 3)
        for k in 9..<30 { try second.append(["\(k)", "w", "1"], nowSeconds: Double(k)) }
        try second.close()
        #expect(second.rotations >= 1)
        let numbers = try readSet(second, files: second.rotations + 1).flatMap { $0.rows.map { Int($0[0]) ?? -1 } }
        #expect(numbers == Array(0..<30))
    }

    @Test func aPathWithoutTheCSVExtensionGetsANumberAppended() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let plain = try writer(dir.path("energy.log"), rotateBytes: 1000, keep: 2)
        let csv = try writer(dir.path("energy.csv"), rotateBytes: 1000, keep: 2)
        #expect(plain.rotatedPath(2) == dir.path("energy.log.2"))
        #expect(csv.rotatedPath(2) == dir.path("energy.2.csv"))
    }
}
