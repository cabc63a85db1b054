import Foundation
import Testing
@testable import Firmware

/// The SQLite energy log: rows in one table per kind, committed in batches,
/// kept under a size, and exported as the CSV log writes them.
@Suite("Energy log store (SQLite)")
struct EnergyLogStoreTests {
    static func inference(_ t: Double, keyword: String = "") -> EnergyLogRecord {
        EnergyLogRecord(boardSeconds: t, wallTime: "2026-12-06T00:00:00.000Z", kind: .inference, inferences: 1,
                        energyJoules: 2e-4, averagePowerWatts: .nan, idlePowerWatts: nil, dieCelsius: 35,
                        calibrationEpoch: 1, detections: keyword.isEmpty ? 0 : 1, keyword: keyword, source: "energy-model")
    }

    static func period(_ t: Double) -> EnergyLogRecord {
        EnergyLogRecord(boardSeconds: t, wallTime: "2026-12-06T00:01:00.000Z", kind: .period, inferences: 240,
                        energyJoules: 16.2, averagePowerWatts: 0.27, idlePowerWatts: 0.2699, dieCelsius: 35.5,
                        calibrationEpoch: 2, detections: 3, keyword: "go", source: "energy-model")
    }

    @Test("rows come back in the order written, each kind in its table, unknown values as NULL")
    func roundTrip() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let path = dir.path("energy.sqlite")
        let store = try EnergyLogStore(path: path, commitIntervalSeconds: 0, maxBytes: 1 << 20)
        let written = [Self.inference(0.25), Self.inference(0.5, keyword: "yes"), Self.period(60), Self.inference(60.25)]
        for r in written { try store.write(r, nowSeconds: r.boardSeconds) }
        try store.close()
        let read = try EnergyLogStore.records(at: path)
        #expect(read.count == 4)
        #expect(read.map(\.kind) == [.inference, .inference, .period, .inference])
        #expect(read[1].keyword == "yes" && read[1].boardSeconds == 0.5)
        #expect(read[2] == written[2])
        #expect(read[0].averagePowerWatts.isNaN && read[0].idlePowerWatts == nil)
        #expect(store.recordsFlushed == 4)
    }

    @Test("rows wait in memory until the commit interval of board time has passed, then go in together")
    func batching() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let path = dir.path("energy.sqlite")
        let store = try EnergyLogStore(path: path, commitIntervalSeconds: 5, maxBytes: 1 << 20)
        for k in 0..<19 { try store.write(Self.inference(Double(k) * 0.25), nowSeconds: Double(k) * 0.25) }
        #expect(try EnergyLogStore.records(at: path).isEmpty, "nothing committed within the first 5 s")
        try store.write(Self.inference(5), nowSeconds: 5)
        #expect(try EnergyLogStore.records(at: path).count == 20, "the row at 5 s commits the batch")
        try store.write(Self.inference(5.25), nowSeconds: 5.25)
        try store.close()
        #expect(try EnergyLogStore.records(at: path).count == 21, "closing commits the rest")
    }

    @Test("a reopened store appends after the rows it holds")
    func reopen() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let path = dir.path("energy.sqlite")
        for run in 0..<3 {
            let store = try EnergyLogStore(path: path, commitIntervalSeconds: 0, maxBytes: 1 << 20)
            try store.write(Self.inference(Double(run)), nowSeconds: 0)
            try store.write(Self.period(Double(run) + 0.5), nowSeconds: 0)
            try store.close()
        }
        #expect(try EnergyLogStore.records(at: path).map(\.boardSeconds) == [0, 0.5, 1, 1.5, 2, 2.5])
    }

    @Test("past its size limit the store deletes its oldest rows and stops growing")
    func sizeLimit() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let path = dir.path("energy.sqlite")
        let store = try EnergyLogStore(path: path, commitIntervalSeconds: 0, maxBytes: 65_536)
        for k in 0..<5000 { try store.write(Self.inference(Double(k)), nowSeconds: Double(k)) }
        try store.close()
        let read = try EnergyLogStore.records(at: path)
        #expect(read.count < 5000 && read.count > 100, "\(read.count) rows kept")
        #expect(read.last?.boardSeconds == 4999, "the newest row is kept")
        #expect(read.map(\.boardSeconds) == read.map(\.boardSeconds).sorted(), "the oldest went first")
        let bytes = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(bytes <= 2 * 65_536, "\(bytes) bytes")
    }

    @Test("the CSV export is what a CSV log of the same rows holds")
    func exportMatchesTheCSVLog() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        let rows = [Self.inference(0.25), Self.inference(0.5, keyword: "yes"), Self.period(60)]
        let store = try EnergyLogStore(path: dir.path("energy.sqlite"), commitIntervalSeconds: 0, maxBytes: 1 << 20)
        let csv = try CSVLogWriter(path: dir.path("energy.csv"), header: EnergyLogRecord.header, flushIntervalSeconds: 0,
                                   rotateBytes: 1 << 20, keepRotated: 1)
        for r in rows {
            try store.write(r, nowSeconds: 0)
            try csv.write(r, nowSeconds: 0)
        }
        try store.close()
        try csv.close()
        let exported = try EnergyLogExport.csv(fromStore: dir.path("energy.sqlite"))
        #expect(String(decoding: exported, as: UTF8.self) == (try dir.text("energy.csv")))
    }

    @Test("a store that cannot be opened is an error naming the file")
    func unopenable() throws {
        #expect {
            try EnergyLogStore(path: "/nonexistent-dir/energy.sqlite", commitIntervalSeconds: 5, maxBytes: 1 << 20)
        } throws: { error in
            guard let error = error as? LogError, case .sqlite = error.reason else { return false }
            return "\(error)".contains("/nonexistent-dir/energy.sqlite") && error.operation == .openDatabase
        }
    }

    @Test("a file that is not a SQLite database is refused, not overwritten")
    func notADatabase() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        try dir.write("time_s,wall_time\n1,2\n", to: "energy.sqlite")
        #expect(throws: LogError.self) {
            try EnergyLogStore(path: dir.path("energy.sqlite"), commitIntervalSeconds: 5, maxBytes: 1 << 20)
        }
        #expect(try dir.text("energy.sqlite") == "time_s,wall_time\n1,2\n")
    }

    @Test("a path ending in .csv writes CSV, anything else the store")
    func formatByExtension() {
        #expect(EnergyLogFormat(path: "/var/lib/cimfw/energy.CSV") == .csv)
        #expect(EnergyLogFormat(path: "energy.sqlite") == .sqlite)
        #expect(EnergyLogFormat(path: "energy.db") == .sqlite)
    }
}
