import Foundation
import Testing
@testable import Firmware

@Suite("Crash-safe CSV log")
struct CSVLogWriterTests {
    let header = ["time_s", "keyword", "energy_j"]

    func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func writer(_ path: String, flush: Double = 5, rotate: Int = 1 << 20, keep: Int = 3) throws -> CSVLogWriter {
        try CSVLogWriter(path: path, header: header, flushIntervalSeconds: flush, rotateBytes: rotate, keepRotated: keep)
    }

    @Test func aNewFileStartsWithTheHeader() throws {
        let path = try Repository.temporaryDirectory().appendingPathComponent("log.csv").path
        _ = try writer(path)
        #expect(try text(path) == "time_s,keyword,energy_j\n")
    }

    @Test func rowsReachTheFileAtTheFlushIntervalAndNotBefore() throws {
        let path = try Repository.temporaryDirectory().appendingPathComponent("log.csv").path
        let log = try writer(path, flush: 5)
        try log.append(["0", "yes", "1e-4"], nowSeconds: 0)
        try log.append(["4", "", "2e-4"], nowSeconds: 4)
        #expect(try text(path) == "time_s,keyword,energy_j\n")
        try log.append(["5", "no", "3e-4"], nowSeconds: 5)
        #expect(try text(path) == "time_s,keyword,energy_j\n0,yes,1e-4\n4,,2e-4\n5,no,3e-4\n")
        #expect(log.recordsFlushed == 3)
    }

    @Test func aTornLastLineIsCutBackOnReopenAndAppendingContinues() throws {
        let path = try Repository.temporaryDirectory().appendingPathComponent("log.csv").path
        try "time_s,keyword,energy_j\n1,yes,0.1\n2,n".write(toFile: path, atomically: false, encoding: .utf8)
        let log = try writer(path)
        #expect(log.repairedBytes == 3)
        try log.append(["3", "go", "0.3"], nowSeconds: 0)
        try log.close()
        #expect(try text(path) == "time_s,keyword,energy_j\n1,yes,0.1\n3,go,0.3\n")
    }

    @Test func aFileWithAnotherHeaderIsMovedAsideNotMixed() throws {
        let dir = try Repository.temporaryDirectory()
        let path = dir.appendingPathComponent("log.csv").path
        try "a,b\n1,2\n".write(toFile: path, atomically: false, encoding: .utf8)
        let log = try writer(path)
        try log.close()
        #expect(try text(path) == "time_s,keyword,energy_j\n")
        #expect(try text(dir.appendingPathComponent("log.1.csv").path) == "a,b\n1,2\n")
    }

    @Test func fieldsWithCommasAndQuotesAreQuoted() throws {
        let path = try Repository.temporaryDirectory().appendingPathComponent("log.csv").path
        let log = try writer(path)
        try log.append(["1", "say \"yes\", then", "x"], nowSeconds: 0)
        try log.close()
        #expect(try text(path).hasSuffix("1,\"say \"\"yes\"\", then\",x\n"))
    }

    @Test func rotationKeepsWholeLinesAndLosesNoRecord() throws {
        let dir = try Repository.temporaryDirectory()
        let path = dir.appendingPathComponent("log.csv").path
        let log = try writer(path, flush: 0, rotate: 4096, keep: 50)
        for k in 0..<2000 { try log.append(["\(k)", "w\(k % 10)", "0.000125"], nowSeconds: Double(k)) }
        try log.close()
        #expect(log.rotations > 5)
        var numbers: [Int] = []
        let files = [path] + (1...log.rotations).map { log.rotatedPath($0) }
        for file in files.reversed() {
            let content = try text(file)
            #expect(content.hasPrefix("time_s,keyword,energy_j\n"))
            #expect(content.hasSuffix("\n"))
            #expect(content.utf8.count <= 4096 + 64)
            for line in content.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                #expect(fields.count == 3)
                numbers.append(Int(fields[0]) ?? -1)
            }
        }
        #expect(numbers == Array(0..<2000))
    }

    @Test func rotationDropsFilesBeyondTheKeepLimit() throws {
        let dir = try Repository.temporaryDirectory()
        let path = dir.appendingPathComponent("log.csv").path
        let log = try writer(path, flush: 0, rotate: 4096, keep: 2)
        for k in 0..<2000 { try log.append(["\(k)", "w", "1"], nowSeconds: Double(k)) }
        try log.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["log.1.csv", "log.2.csv", "log.csv"])
    }

    @Test func anUnwritablePathIsAnErrorNamingIt() throws {
        let dir = try Repository.temporaryDirectory()
        let missing = dir.appendingPathComponent("no/such/dir/log.csv").path
        #expect { try writer(missing) } throws: { error in
            "\(error)".contains(missing) && "\(error)".contains("open for appending")
        }
        #expect { try writer(dir.path) } throws: { error in "\(error)".contains(dir.path) }
    }

    @Test func aRowOfTheWrongWidthIsRefused() throws {
        let path = try Repository.temporaryDirectory().appendingPathComponent("log.csv").path
        let log = try writer(path)
        #expect(throws: LogError.self) { try log.append(["1", "2"], nowSeconds: 0) }
    }
}
