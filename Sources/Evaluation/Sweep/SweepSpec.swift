import Foundation
import TOMLKit
import TOMLPreflight

/// A design-space sweep as its TOML file describes it (`sweeps/`): base board
/// files, a firmware image, axes over board-file keys, seeds, and what
/// `cimfw evaluate` measures at each point.
public struct SweepSpec: Sendable, Hashable {
    /// Measurements beyond the three every point takes (accuracy, energy per
    /// inference, throughput), each as `cimfw evaluate` takes it.
    public enum Measurement: String, Sendable, Hashable, CaseIterable, Codable {
        case temperature, drift
        case mvmError = "mvm_error"
    }

    public enum Budget: String, Sendable, Hashable, CaseIterable, Codable {
        case quick, full
    }

    /// One axis: a board-file key (dotted, as docs/board-files.md names it) and its values.
    public struct Axis: Sendable, Hashable, Codable {
        public var key: String
        public var values: [AxisValue]
    }

    public var file: String
    public var name: String
    public var firmware: String
    public var boards: [String]
    public var seeds: [UInt64]
    public var budget: Budget
    public var clips: Int?
    /// Test clips through the model together (nil: `EvaluationSettings.defaultBatch`).
    public var batch: Int?
    public var measurements: [Measurement]
    public var temperaturesCelsius: [Double]?
    public var axes: [Axis]

    /// Reads and checks `path`; paths in it are relative to its directory and come back absolute.
    public static func load(path: String) throws(SweepSpecError) -> SweepSpec {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SweepSpecError(file: path, message: "cannot read the file: \(error.localizedDescription)")
        }
        do throws(TOMLPreflight.Problem) { try TOMLPreflight.check(text) } catch {
            throw SweepSpecError(file: path, message: "invalid TOML: \(error.description)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw SweepSpecError(file: path, message: "invalid TOML: \(error.description) at line \(error.source.begin.line), column \(error.source.begin.column)")
        } catch {
            throw SweepSpecError(file: path, message: "invalid TOML: \(error)")
        }
        var reader = SpecReader(file: path, table: table)
        return try reader.spec()
    }
}

/// An axis value: what a board-file key may hold.
public enum AxisValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    case text(String)
    case flag(Bool)

    /// The value as TOML source.
    public var toml: String {
        switch self {
        case .integer(let v): return "\(v)"
        case .number(let v): return v.rounded() == v && abs(v) < 1e15 ? String(format: "%.1f", v) : "\(v)"
        case .text(let v): return "\"" + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .flag(let v): return v ? "true" : "false"
        }
    }

    /// The value as a CSV cell and in messages.
    public var description: String {
        switch self {
        case .integer(let v): return "\(v)"
        case .number(let v): return "\(v)"
        case .text(let v): return v
        case .flag(let v): return v ? "true" : "false"
        }
    }
}

public struct SweepSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var key: String?
    public var message: String

    public init(file: String, key: String? = nil, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String { "\(file): " + (key.map { "key '\($0)': " } ?? "") + message }
}

/// The spec's keys, each read once; what is left over is unknown.
private struct SpecReader {
    let file: String
    let table: TOMLTable
    let directory: URL

    init(file: String, table: TOMLTable) {
        self.file = file
        self.table = table
        directory = URL(fileURLWithPath: file).deletingLastPathComponent()
    }

    static let topKeys: Set<String> = ["name", "firmware", "boards", "seeds", "budget", "clips", "batch", "measurements", "temperatures_celsius", "axes"]
    /// 100,000 points is a cluster-sized study; beyond that a spec is more likely a mistake.
    static let maximumPoints = 100_000

    func error(_ key: String, _ value: Any, _ expected: String) -> SweepSpecError {
        SweepSpecError(file: file, key: key, message: "value \(value) is invalid; expected \(expected)")
    }

    func path(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : directory.appendingPathComponent(relative).standardizedFileURL.path
    }

    mutating func spec() throws(SweepSpecError) -> SweepSpec {
        for key in table.keys where !Self.topKeys.contains(key) {
            throw SweepSpecError(file: file, key: key, message: "unknown key; a sweep spec has \(Self.topKeys.sorted().joined(separator: ", ")) (see docs/sweeps.md)")
        }
        guard let firmware = table["firmware"]?.string else {
            throw SweepSpecError(file: file, key: "firmware", message: "missing or not a string; expected the firmware image directory")
        }
        guard let boardArray = table["boards"]?.array, !boardArray.isEmpty else {
            throw SweepSpecError(file: file, key: "boards", message: "missing or empty; expected a list of base board files")
        }
        var boards: [String] = []
        for value in boardArray {
            guard let board = value.string else { throw error("boards", value, "board file paths (strings)") }
            boards.append(path(board))
        }
        var seeds: [UInt64] = [1]
        if let value = table["seeds"] {
            guard let array = value.array, !array.isEmpty else { throw error("seeds", value, "a non-empty list of seeds") }
            seeds = []
            for item in array {
                guard let seed = item.int, seed >= 0 else { throw error("seeds", item, "integers of at least 0") }
                seeds.append(UInt64(seed))
            }
            guard Set(seeds).count == seeds.count else { throw error("seeds", value, "distinct seeds") }
        }
        var budget = SweepSpec.Budget.quick
        if let value = table["budget"] {
            guard let text = value.string, let b = SweepSpec.Budget(rawValue: text) else {
                throw error("budget", value, "\"quick\" (cimfw evaluate --quick) or \"full\"")
            }
            budget = b
        }
        var clips: Int?
        if let value = table["clips"] {
            guard let n = value.int, n >= 1 else { throw error("clips", value, "an integer of at least 1 (test clips per point)") }
            clips = n
        }
        var batch: Int?
        if let value = table["batch"] {
            guard let n = value.int, (1...1024).contains(n) else { throw error("batch", value, "an integer in 1...1024 (test clips through the model together)") }
            batch = n
        }
        var measurements: [SweepSpec.Measurement] = []
        if let value = table["measurements"] {
            guard let array = value.array else { throw error("measurements", value, "a list") }
            for item in array {
                let expected = SweepSpec.Measurement.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                guard let text = item.string, let m = SweepSpec.Measurement(rawValue: text) else {
                    throw error("measurements", item, "one of \(expected) (accuracy, energy and throughput are always taken)")
                }
                if !measurements.contains(m) { measurements.append(m) }
            }
        }
        var temperatures: [Double]?
        if let value = table["temperatures_celsius"] {
            guard let array = value.array, !array.isEmpty else { throw error("temperatures_celsius", value, "a non-empty list of die temperatures") }
            temperatures = []
            for item in array {
                guard let t = item.double ?? item.int.map(Double.init), (-55...150).contains(t) else {
                    throw error("temperatures_celsius", item, "temperatures in -55...150 °C")
                }
                temperatures?.append(t)
            }
        }
        var axes: [SweepSpec.Axis] = []
        if let value = table["axes"] {
            guard let axesTable = value.table else { throw error("axes", value, "a table of board-file keys") }
            for (key, item) in Self.flattenAxes(axesTable, prefix: "") {
                axes.append(SweepSpec.Axis(key: key, values: try axisValues("axes.\(key)", item)))
            }
        }
        var count = boards.count * seeds.count
        for axis in axes {
            let (product, overflow) = count.multipliedReportingOverflow(by: axis.values.count)
            guard !overflow, product <= Self.maximumPoints else {
                throw SweepSpecError(file: file, message: "the axes, boards and seeds make more than \(Self.maximumPoints) points, the most planned at once")
            }
            count = product
        }
        let name = table["name"]?.string ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        return SweepSpec(file: file, name: name, firmware: path(firmware), boards: boards, seeds: seeds, budget: budget,
                         clips: clips, batch: batch, measurements: measurements, temperaturesCelsius: temperatures, axes: axes)
    }

    /// `"adc.bits" = …` and `adc.bits = …` (a nested table) name the same key;
    /// a table of only from, to and step is a range, not a nesting.
    static func flattenAxes(_ table: TOMLTable, prefix: String) -> [(String, TOMLValueConvertible)] {
        var out: [(String, TOMLValueConvertible)] = []
        for key in table.keys.sorted() {
            guard let value = table[key] else { continue }
            let path = prefix.isEmpty ? key : prefix + "." + key
            if let sub = value.table, !Set(sub.keys).isSubset(of: ["from", "to", "step"]) {
                out += flattenAxes(sub, prefix: path)
            } else {
                out.append((path, value))
            }
        }
        return out
    }

    /// A list of values, or a range { from, to, step } of numbers.
    func axisValues(_ key: String, _ value: TOMLValueConvertible) throws(SweepSpecError) -> [AxisValue] {
        if let array = value.array {
            guard !array.isEmpty else { throw error(key, value, "a non-empty list of values") }
            var values: [AxisValue] = []
            for item in array {
                if let v = item.bool { values.append(.flag(v)) }
                else if let v = item.int { values.append(.integer(v)) }
                else if let v = item.double, v.isFinite { values.append(.number(v)) }
                else if let v = item.string { values.append(.text(v)) }
                else { throw error(key, item, "integers, numbers, strings or booleans") }
            }
            guard Set(values).count == values.count else { throw error(key, value, "distinct values") }
            return values
        }
        guard let range = value.table else { throw error(key, value, "a list of values or a range { from = A, to = B, step = S }") }
        for k in range.keys where !["from", "to", "step"].contains(k) {
            throw SweepSpecError(file: file, key: "\(key).\(k)", message: "unknown key; a range has from, to and step")
        }
        if let from = range["from"]?.int, let to = range["to"]?.int, let step = range["step"]?.int {
            let (span, overflow) = to.subtractingReportingOverflow(from)
            guard step > 0, from <= to, !overflow, span / step < Self.maximumPoints else {
                throw error(key, value, "from ≤ to and a step above 0, at most \(Self.maximumPoints) values")
            }
            return stride(from: from, through: to, by: step).map(AxisValue.integer)
        }
        func number(_ k: String) -> Double? { range[k]?.double ?? range[k]?.int.map(Double.init) }
        guard let from = number("from"), let to = number("to"), let step = number("step"),
              from.isFinite, to.isFinite, step > 0, from <= to, (to - from) / step < Double(Self.maximumPoints) else {
            throw error(key, value, "a range { from = A, to = B, step = S } with A ≤ B and S above 0, at most \(Self.maximumPoints) values")
        }
        let count = Int(((to - from) / step + 1e-9).rounded(.down))
        // Twelve significant digits: 0.1 + 2 · 0.1 is the 0.3 the user meant, not 0.30000000000000004.
        return (0...count).map { .number(Double(String(format: "%.12g", from + Double($0) * step)) ?? from) }
    }
}
