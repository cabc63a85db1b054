import CIMHAL

/// A settings type that is one table of a simulated board file, or part of one.
public protocol BoardFileTable {
    /// The table's keys, relative to the table, in file order.
    static var parameters: [SimulatorParameter<Self>] { get }
}

/// One table of a simulated board file: its keys on the whole configuration,
/// and the check of combinations its keys must satisfy.
public struct SimulatorSection: Sendable {
    /// The table's name (`drift`).
    public let table: String
    public let parameters: [SimulatorParameter<SimulatorConfiguration>]
    /// Run once every table is read, in table order.
    public let check: @Sendable (SimulatorConfiguration) -> ParameterViolation?

    public init(_ table: String, _ parameters: [SimulatorParameter<SimulatorConfiguration>],
                check: @escaping @Sendable (SimulatorConfiguration) -> ParameterViolation? = { _ in nil }) {
        self.table = table
        self.parameters = parameters
        self.check = check
    }

    public init<Settings: BoardFileTable>(_ table: String, _ path: WritableKeyPath<SimulatorConfiguration, Settings>,
                                          check: @escaping @Sendable (SimulatorConfiguration) -> ParameterViolation? = { _ in nil }) {
        self.init(table, Settings.parameters.map { $0.lifted(to: path) }, check: check)
    }

    /// The key that switches this table's effect on and off, if it has one.
    public var effectSwitch: SimulatorParameter<SimulatorConfiguration>? {
        parameters.first { $0.name == "enabled" }
    }
}

extension SimulatorConfiguration {
    /// The tables of a simulated board file in file order, each key declared
    /// by the type that implements it. `[board]`'s `backend` is read by the
    /// dispatch on board kinds, `[thermal]` (a choice of profiles, each with
    /// its own keys) by BoardSupport.
    public static let sections: [SimulatorSection] = [
        SimulatorSection("board", boardParameters),
        SimulatorSection("geometry", geometryParameters, check: geometryViolation),
        SimulatorSection("conductance", \.mapping, check: ConductanceMapping.violation),
        SimulatorSection("programming", ProgrammingVariability.parameters.map { $0.lifted(to: \.programming) }
            + WriteVerifyPolicy.parameters.map { $0.lifted(to: \.defaultPolicy) }
            + ProgrammingCost.parameters.map { $0.lifted(to: \.programmingCost) }),
        SimulatorSection("endurance", \.endurance),
        SimulatorSection("stuck_at", \.stuckAt, check: StuckAtFaults.violation),
        SimulatorSection("drift", \.drift),
        SimulatorSection("temperature", \.temperature),
        SimulatorSection("read_noise", \.readNoise),
        SimulatorSection("ir_drop", \.irDrop),
        SimulatorSection("dac", \.dac),
        SimulatorSection("adc", \.adc),
        SimulatorSection("adc_mismatch", \.adcMismatch),
        SimulatorSection("calibration", \.calibration),
        SimulatorSection("energy", \.energy, check: EnergyModel.violation),
        SimulatorSection("execution", \.execution),
        // Last: the IR-drop limit depends on geometry, conductance and the reference column.
        SimulatorSection("limits", [], check: IRDrop.violation),
    ]

    /// Every key of the simulated board file, `table.key`, in file order.
    public static var boardFileKeys: [String] {
        sections.flatMap { section in section.parameters.map { "\(section.table).\($0.name)" } }
    }

    static let boardParameters: [SimulatorParameter<SimulatorConfiguration>] = [
        .init("name", .choice(\.name, options: [])),
        .init("technology", .choice(\.technologyName, options: Technology.allCases.map(\.rawValue))),
        .init("seed", .integer(\.seedValue, range: 0...Int.max)),
    ]

    static let geometryParameters: [SimulatorParameter<SimulatorConfiguration>] = [
        .init("tiles", .integer(\.tiles, range: 1...1024)),
        .init("rows", .integer(\.rows, range: 2...4096)),
        .init("columns", .integer(\.columns, range: 1...4096)),
        .init("columns_per_adc", .integer(\.columnsPerADC, range: 1...4096)),
    ]

    /// A tile's state costs about 100 bytes per weight: one stays under ~400 MB.
    public static let largestTileWeights = 4_194_304

    @Sendable static func geometryViolation(_ c: SimulatorConfiguration) -> ParameterViolation? {
        if c.columnsPerADC > c.columns {
            return ParameterViolation(key: "geometry.columns_per_adc", related: ["geometry.columns"], value: "\(c.columnsPerADC)",
                                      expected: "at most geometry.columns (\(c.columns))")
        }
        if c.rows * c.columns > largestTileWeights {
            return ParameterViolation(key: "geometry.columns", related: ["geometry.rows"], value: "\(c.columns)",
                                      expected: "rows x columns ≤ \(largestTileWeights) (here \(c.rows) x \(c.columns))")
        }
        return nil
    }

    /// `technology` as the board file spells it; an unknown name is `ideal`
    /// (the reader admits only the known ones).
    var technologyName: String {
        get { technology.rawValue }
        set { technology = Technology(rawValue: newValue) ?? .ideal }
    }

    /// `seed` as the board file's integer (0…2⁶³−1).
    var seedValue: Int {
        get { Int(truncatingIfNeeded: seed) }
        set { seed = UInt64(max(0, newValue)) }
    }
}
