import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a board in the field reports to its operators: a snapshot of the
/// running firmware, rendered in Prometheus's text exposition format (0.0.4)
/// for node_exporter's textfile collector, so a fleet of Raspberry Pis is
/// scraped and alerted on with the tools operators already run.
public struct FleetMetrics: Sendable, Hashable {
    public var board: String
    public var firmware: String
    public var uptimeSeconds: Double
    public var inferences: Int
    public var inferencesSkipped: Int
    /// Every keyword the model can detect, with its count (zero included, so a
    /// rate over a keyword never starts from a missing series).
    public var detectionsByKeyword: [String: Int]
    public var energyJoules: Double
    public var energyPerInferenceJoules: Double?
    public var averagePowerWatts: Double?
    public var dieCelsius: Double
    public var calibrations: Int
    public var faultsByKind: [String: Int]

    /// The exposition text: HELP and TYPE before each family, one line per
    /// series, families and label values in a fixed order.
    public var text: String {
        var out = ""
        let common = [("board", board), ("firmware", firmware)]
        func family(_ name: String, _ type: String, _ help: String, _ samples: [([(String, String)], Double)]) {
            guard !samples.isEmpty else { return }
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples {
                let all = (common + labels).map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
                out += "\(name){\(all)} \(Self.number(value))\n"
            }
        }
        family("cimfw_uptime_seconds", "gauge", "Board seconds since the run started.", [([], uptimeSeconds)])
        family("cimfw_inferences_total", "counter", "Inferences run.", [([], Double(inferences))])
        family("cimfw_inferences_skipped_total", "counter", "Hops skipped because the previous inference overran.", [([], Double(inferencesSkipped))])
        family("cimfw_detections_total", "counter", "Keyword detections, by keyword.",
               detectionsByKeyword.keys.sorted().map { ([("keyword", $0)], Double(detectionsByKeyword[$0] ?? 0)) })
        family("cimfw_energy_joules_total", "counter", "Board energy since the run started (power monitor, or the energy model).", [([], energyJoules)])
        family("cimfw_energy_per_inference_joules", "gauge", "Mean board energy per inference since the run started.",
               energyPerInferenceJoules.map { [([], $0)] } ?? [])
        family("cimfw_average_power_watts", "gauge", "Mean board power since the run started.", averagePowerWatts.map { [([], $0)] } ?? [])
        family("cimfw_die_temperature_celsius", "gauge", "Die temperature at the last reading.", [([], dieCelsius)])
        family("cimfw_calibrations_total", "counter", "Column calibrations, boot included.", [([], Double(calibrations))])
        family("cimfw_faults_total", "counter", "Faults recorded, by kind.",
               faultsByKind.keys.sorted().map { ([("kind", $0)], Double(faultsByKind[$0] ?? 0)) })
        return out
    }

    /// Label values escape backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Writes `text` to `path` through a temporary file in the same directory
    /// and a rename: the collector reads the old file or the new, never half.
    /// The temporary name does not end in .prom, which the collector skips.
    public func write(to path: String) throws(LogError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(temporary, .write, errno: errno) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.write(fd, base + offset, buffer.count - offset)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let code = n < 0 ? errno : EIO
                close(fd)
                unlink(temporary)
                throw .system(temporary, .write, errno: code)
            }
            offset += n
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .system(path, .rename, errno: code)
        }
    }
}
