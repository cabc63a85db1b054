import Foundation
import Testing
@testable import Firmware

/// The fleet-metrics file as node_exporter's textfile collector reads it:
/// Prometheus's text exposition format, checked line by line by a strict
/// parser, replaced whole.
@Suite struct FleetMetricsTests {
    /// A sample line: name{label="value",…} number, per the 0.0.4 text format.
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Parses exposition text, failing on anything the format does not allow:
    /// a sample before its family's TYPE, a counter not named *_total, a
    /// malformed label or number, a series given twice.
    static func parse(_ text: String) throws -> [Sample] {
        struct Invalid: Error, CustomStringConvertible { var description: String }
        guard text.hasSuffix("\n") else { throw Invalid(description: "the text must end with a line feed") }
        var types: [String: String] = [:], helps: Set<String> = [], samples: [Sample] = [], series: Set<String> = []
        for line in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            if let m = line.wholeMatch(of: #/# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)/#) {
                guard helps.insert(String(m.1)).inserted else { throw Invalid(description: "HELP twice: \(line)") }
                continue
            }
            if let m = line.wholeMatch(of: #/# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)/#) {
                guard types[String(m.1)] == nil else { throw Invalid(description: "TYPE twice: \(line)") }
                types[String(m.1)] = String(m.2)
                continue
            }
            guard let m = line.wholeMatch(of: #/([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)/#) else { throw Invalid(description: "not a sample: \(line)") }
            let metric = String(m.1)
            guard let type = types[metric] else { throw Invalid(description: "no TYPE before \(metric)") }
            if type == "counter" && !metric.hasSuffix("_total") { throw Invalid(description: "counter \(metric) is not named *_total") }
            var labels: [String: String] = [:]
            if let body = m.3 {
                var rest = Substring(body)
                while !rest.isEmpty {
                    guard let l = rest.prefixMatch(of: #/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/#) else {
                        throw Invalid(description: "bad labels in \(line)")
                    }
                    labels[String(l.1)] = String(l.2).replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\\"", with: "\"")
                        .replacingOccurrences(of: "\\\\", with: "\\")
                    rest = rest[l.range.upperBound...]
                }
            }
            let text = String(m.4)
            guard let value = ["NaN": Double.nan, "+Inf": .infinity, "-Inf": -.infinity][text] ?? Double(text) else {
                throw Invalid(description: "bad value in \(line)")
            }
            guard series.insert(metric + labels.sorted { $0.key < $1.key }.description).inserted else { throw Invalid(description: "series twice: \(line)") }
            samples.append(Sample(name: metric, labels: labels, value: value))
        }
        return samples
    }

    static let example = FleetMetrics(
        board: "rpi4 \"lab\" #2", firmware: "kws-gru", uptimeSeconds: 3600, inferences: 14_400, inferencesSkipped: 0,
        detectionsByKeyword: ["yes": 12, "no": 0], energyJoules: 968.4, energyPerInferenceJoules: 2.08e-4, averagePowerWatts: 0.269,
        dieCelsius: 41.5, calibrations: 13, faultsByKind: ["bus-error": 2])

    @Test func everyFamilyIsWellFormedAndCarriesTheBoardAndFirmware() throws {
        let samples = try Self.parse(Self.example.text)
        #expect(Set(samples.map(\.name)) == ["cimfw_uptime_seconds", "cimfw_inferences_total", "cimfw_inferences_skipped_total",
                                             "cimfw_detections_total", "cimfw_energy_joules_total", "cimfw_energy_per_inference_joules",
                                             "cimfw_average_power_watts", "cimfw_die_temperature_celsius", "cimfw_calibrations_total",
                                             "cimfw_faults_total"])
        #expect(samples.allSatisfy { $0.labels["board"] == "rpi4 \"lab\" #2" && $0.labels["firmware"] == "kws-gru" }, "label values are escaped")
        #expect(samples.first { $0.name == "cimfw_detections_total" && $0.labels["keyword"] == "yes" }?.value == 12)
        #expect(samples.first { $0.name == "cimfw_detections_total" && $0.labels["keyword"] == "no" }?.value == 0)
        #expect(samples.first { $0.name == "cimfw_energy_per_inference_joules" }?.value == 2.08e-4)
        #expect(samples.first { $0.name == "cimfw_faults_total" }?.labels["kind"] == "bus-error")
    }

    @Test func aGaugeNotYetKnownIsLeftOutRatherThanReportedAsZero() throws {
        var fresh = Self.example
        fresh.energyPerInferenceJoules = nil
        fresh.averagePowerWatts = nil
        let names = Set(try Self.parse(fresh.text).map(\.name))
        #expect(!names.contains("cimfw_energy_per_inference_joules") && !names.contains("cimfw_average_power_watts"))
    }

    @Test func theFileIsReplacedWholeAndAFailureNamesThePath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cimfw.prom").path
        try "old\n".write(toFile: path, atomically: true, encoding: .utf8)
        try Self.example.write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.example.text)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["cimfw.prom"], "no temporary file is left")
        let missing = dir.appendingPathComponent("gone/cimfw.prom").path
        let error = #expect(throws: LogError.self) { try Self.example.write(to: missing) }
        #expect(error?.errno == ENOENT && "\(error.map { "\($0)" } ?? "")".contains("gone/cimfw.prom"))
    }
}
