import Foundation
import Testing
@testable import Firmware

@Suite("Energy log record")
struct EnergyLogRecordTests {
    let inference = EnergyLogRecord(
        boardSeconds: 12.5, wallTime: "2026-11-26T20:31:05.123Z", kind: .inference, inferences: 1, energyJoules: 2.5e-6,
        averagePowerWatts: .nan, idlePowerWatts: nil, dieCelsius: 41.25, calibrationEpoch: 3, detections: 1,
        keyword: "yes", source: "power-monitor")
    let idlePeriod = EnergyLogRecord(
        boardSeconds: 60, wallTime: "2026-11-26T20:32:00.000Z", kind: .period, inferences: 0, energyJoules: 0.0012,
        averagePowerWatts: 2e-5, idlePowerWatts: 2e-5, dieCelsius: 40, calibrationEpoch: 0, detections: 0,
        keyword: "", source: "energy-model")

    @Test func theColumnsAreNamedWithTheirUnitsInTheDocumentedOrder() {
        #expect(EnergyLogRecord.header == [
            "time_s", "wall_time", "kind", "inferences", "energy_j", "energy_per_inference_j", "average_power_w",
            "idle_power_w", "temperature_c", "calibration_epoch", "detections", "keyword", "source",
        ])
    }

    @Test func anInferenceRowLeavesUnknownPowersEmpty() {
        #expect(inference.fields == [
            "12.5", "2026-11-26T20:31:05.123Z", "inference", "1", "2.5e-06", "2.5e-06", "", "", "41.25", "3", "1", "yes",
            "power-monitor",
        ])
    }

    @Test func anIdlePeriodHasNoEnergyPerInference() {
        #expect(idlePeriod.energyPerInferenceJoules == nil)
        #expect(idlePeriod.fields[5] == "")
        var busy = idlePeriod
        busy.inferences = 4
        #expect(busy.energyPerInferenceJoules == 0.0003)
    }

    /// The allocation-light path (fields formatted into the buffer) and the
    /// [String] path write the same bytes.
    @Test func recordsAndTheirFieldsWriteTheSameFile() throws {
        let dir = try LogTestDirectory()
        defer { dir.remove() }
        var odd = inference
        odd.keyword = "on, \"off\""
        let records = [inference, idlePeriod, odd]
        for name in ["direct.csv", "fields.csv"] {
            let log = try CSVLogWriter(path: dir.path(name), header: EnergyLogRecord.header, flushIntervalSeconds: 5,
                                       rotateBytes: 1 << 20, keepRotated: 1)
            for record in records {
                if name == "direct.csv" {
                    try log.append(record, nowSeconds: record.boardSeconds)
                } else {
                    try log.append(record.fields, nowSeconds: record.boardSeconds)
                }
            }
            try log.close()
        }
        #expect(try dir.text("direct.csv") == dir.text("fields.csv"))
        let read = try CSVLogReader(path: dir.path("direct.csv"))
        #expect(read.header == EnergyLogRecord.header)
        #expect(read.rows == records.map(\.fields))
    }

    @Test(arguments: [
        (0, 0, "1970-01-01T00:00:00.000Z"),
        (1_700_000_000, 123_456_789, "2023-11-14T22:13:20.123Z"),
        (951_782_400, 999_999_999, "2000-02-29T00:00:00.999Z"),
        (1_798_761_599, 5_000_000, "2026-12-31T23:59:59.005Z"),
    ])
    func wallTimeIsISO8601UTCWithMilliseconds(seconds: Int, nanoseconds: Int, expected: String) {
        #expect(UTCTimestamp.string(epochSeconds: seconds, nanoseconds: nanoseconds) == expected)
    }
}
