import BoardSupport
import Foundation

/// One point of a sweep: a board file derived from a base (`inherits` plus
/// the axis values and the seed) and where its result goes.
public struct SweepPoint: Sendable, Hashable, Codable {
    public struct Setting: Sendable, Hashable, Codable {
        public var key: String
        public var value: AxisValue
    }

    public var index: Int
    /// From the point's content (its board file and the measurement settings):
    /// the same point planned again gets the same ID, so its result is kept.
    public var id: String
    public var baseBoard: String
    public var settings: [Setting]
    public var seed: UInt64
    /// Relative to the plan directory.
    public var boardFile: String

    /// The base board's file name (`sim-rram-256.toml`): the technology the
    /// point varies, as results.csv's `board` column names it.
    public var technology: String { URL(fileURLWithPath: baseBoard).lastPathComponent }
}

/// A sweep expanded into points, in `DIR/plan.json`, with each point's board
/// file in `DIR/points/`. Results go to `DIR/results/ID.json` (or
/// `ID.error.json`), written whole or not at all.
public struct SweepPlan: Sendable, Hashable, Codable {
    public var name: String
    public var spec: String
    public var firmware: String
    public var budget: SweepSpec.Budget
    public var clips: Int?
    /// nil: `EvaluationSettings.defaultBatch` (and in a plan written before the key existed).
    public var batch: Int?
    public var measurements: [SweepSpec.Measurement]
    public var temperaturesCelsius: [Double]?
    public var axisKeys: [String]
    public var points: [SweepPoint]

    public static let fileName = "plan.json"

    /// Keys a sweep may not vary: the seed has its own list, and a point's
    /// file inherits its base.
    static let reservedKeys: Set<String> = ["board.seed", "inherits"]

    /// Every combination: boards, then the axes in the spec's (sorted) key
    /// order, then seeds, the last varying fastest.
    public static func expand(_ spec: SweepSpec) throws(SweepSpecError) -> (SweepPlan, [String: String]) {
        for axis in spec.axes where reservedKeys.contains(axis.key) {
            throw SweepSpecError(file: spec.file, key: "axes.\(axis.key)", message: "cannot be an axis: \(axis.key == "inherits" ? "each point inherits its base board" : "seeds are the 'seeds' list")")
        }
        var combinations: [[SweepPoint.Setting]] = [[]]
        for axis in spec.axes {
            combinations = combinations.flatMap { prefix in axis.values.map { prefix + [SweepPoint.Setting(key: axis.key, value: $0)] } }
        }
        var points: [SweepPoint] = []
        var files: [String: String] = [:]
        let settingsText = "firmware \(spec.firmware); budget \(spec.budget.rawValue); clips \(spec.clips.map(String.init) ?? "all"); "
            + "batch \(spec.batch ?? EvaluationSettings.defaultBatch); "
            + "measurements \(spec.measurements.map(\.rawValue).joined(separator: ",")); temperatures \(spec.temperaturesCelsius.map { "\($0)" } ?? "default")"
        for board in spec.boards {
            for settings in combinations {
                for seed in spec.seeds {
                    let text = boardText(base: board, settings: settings, seed: seed, sweep: spec.name)
                    let id = Self.identifier(text + "\n" + settingsText)
                    let file = "points/\(id).toml"
                    points.append(SweepPoint(index: points.count, id: id, baseBoard: board, settings: settings, seed: seed, boardFile: file))
                    files[file] = text
                }
            }
        }
        let plan = SweepPlan(name: spec.name, spec: spec.file, firmware: spec.firmware, budget: spec.budget, clips: spec.clips, batch: spec.batch,
                             measurements: spec.measurements, temperaturesCelsius: spec.temperaturesCelsius,
                             axisKeys: spec.axes.map(\.key), points: points)
        return (plan, files)
    }

    /// The derived board file: `inherits` the base, then the settings by table.
    static func boardText(base: String, settings: [SweepPoint.Setting], seed: UInt64, sweep: String) -> String {
        var text = "# A point of sweep '\(sweep)' (cimfw sweep plan): the base board with these keys changed.\n"
        text += "inherits = \(AxisValue.text(base).toml)\n"
        var tables: [String: [(String, AxisValue)]] = ["board": [("seed", .integer(Int(clamping: seed)))]]
        var order = ["board"]
        for s in settings {
            let parts = s.key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let table = parts.dropLast().joined(separator: "."), key = parts[parts.count - 1]
            if table.isEmpty {
                text += "\(key) = \(s.value.toml)\n"
                continue
            }
            if tables[table] == nil { order.append(table) }
            tables[table, default: []].append((key, s.value))
        }
        for table in order {
            text += "\n[\(table)]\n"
            for (key, value) in tables[table] ?? [] { text += "\(key) = \(value.toml)\n" }
        }
        return text
    }

    /// FNV-1a, 64 bits, as 16 hex digits: stable across runs and machines.
    static func identifier(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }

    /// Writes the plan into `directory`, checking every point's board file
    /// as `cimfw` would load it; results already there for the same IDs stay.
    public static func write(_ spec: SweepSpec, to directory: String) throws(SweepSpecError) -> SweepPlan {
        let (plan, files) = try expand(spec)
        let root = URL(fileURLWithPath: directory)
        do {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("points"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: root.appendingPathComponent("results"), withIntermediateDirectories: true)
        } catch {
            throw SweepSpecError(file: directory, message: "cannot create the plan directory: \(error.localizedDescription)")
        }
        for point in plan.points {
            guard let text = files[point.boardFile] else { continue }
            let path = root.appendingPathComponent(point.boardFile).path
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
                throw SweepSpecError(file: path, message: "cannot write: \(error)")
            }
            do { _ = try BoardFile.load(path: path) } catch {
                let values = point.settings.map { "\($0.key) = \($0.value)" } + ["seed \(point.seed)"]
                throw SweepSpecError(file: spec.file, message: "point \(point.index) (\(URL(fileURLWithPath: point.baseBoard).lastPathComponent), \(values.joined(separator: ", "))) is not a valid board: \(error)")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(plan).write(to: root.appendingPathComponent(fileName), options: .atomic)
        } catch {
            throw SweepSpecError(file: root.appendingPathComponent(fileName).path, message: "cannot write: \(error)")
        }
        return plan
    }

    public static func load(directory: String) throws(SweepSpecError) -> SweepPlan {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
        do {
            return try JSONDecoder().decode(SweepPlan.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw SweepSpecError(file: path, message: "not a sweep plan (make one with `cimfw sweep plan SPEC --out DIR`): \(error.localizedDescription)")
        }
    }

    /// What `cimfw evaluate` measures at each point.
    public var evaluationSettings: EvaluationSettings {
        var s = budget == .quick ? EvaluationSettings.quickRun : EvaluationSettings.full
        if let clips { s.clipLimit = clips }
        if let batch { s.batch = batch }
        if !measurements.contains(.temperature) { s.temperaturesCelsius = [] } else if let t = temperaturesCelsius { s.temperaturesCelsius = t }
        if !measurements.contains(.drift) { s.driftAges = [] }
        if !measurements.contains(.mvmError) { s.arrayErrorBlocks = 0 }
        return s
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
