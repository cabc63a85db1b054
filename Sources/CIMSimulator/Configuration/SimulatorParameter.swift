/// One key of a simulated board file: where its value lives, its type and
/// range, the factor from the file's unit to the model's, and whether a file
/// may leave it out.
///
/// Each effect declares its own keys next to its behaviour
/// (`ConductanceDrift.parameters`, …); `SimulatorConfiguration.sections`
/// lists the tables in file order. The board-file reader, the checks on the
/// presets and on docs/board-files.md all loop over those declarations.
///
/// `@unchecked Sendable`: a key path is an immutable value, but one built by
/// `appending(path:)` does not carry the `Sendable` the compiler infers for
/// a literal.
public struct SimulatorParameter<Settings>: @unchecked Sendable {
    /// How a key is declared: the property it sets on `Settings`, and its
    /// type, range and unit.
    public enum Field {
        case flag(WritableKeyPath<Settings, Bool>)
        case integer(WritableKeyPath<Settings, Int>, range: ClosedRange<Int>)
        /// `fileToModel` converts the key's unit into the model's
        /// (`_nanoseconds` → seconds: 1e-9); the range is in the file's unit.
        case real(WritableKeyPath<Settings, Double>, range: ClosedRange<Double>, fileToModel: Double)
        /// A string from `options`; any string when `options` is empty.
        case choice(WritableKeyPath<Settings, String>, options: [String])
    }

    /// The key's type, range and unit, as a reader checks them.
    public enum Kind: Sendable {
        case flag
        case integer(range: ClosedRange<Int>)
        case real(range: ClosedRange<Double>, fileToModel: Double)
        case choice(options: [String])
    }

    /// A value in the file's unit, for a key a file may leave out.
    public enum Value: Sendable, Hashable {
        case flag(Bool)
        case integer(Int)
        case real(Double)
        case choice(String)
    }

    public enum Requirement: Sendable, Hashable {
        /// Every board file sets it, directly or through `inherits`.
        case always
        /// Set whenever the table's effect is on; with the effect off it may
        /// be left out and takes this value, the effect's neutral one.
        case whenEnabled(otherwise: Value)
        /// May be left out and takes this value (an effect's switch: off).
        case optional(Value)
    }

    /// The key inside its table (`exponent_mean`).
    public let name: String
    public let kind: Kind
    public let requirement: Requirement
    /// Sets a value given in the file's unit; false when it is not of this key's type.
    private let store: (inout Settings, Value) -> Bool
    private let load: (Settings) -> Value

    /// A key every board file sets.
    public init(_ name: String, _ field: Field) {
        self.init(name, field, requirement: .always)
    }

    /// A key a file may leave out while its effect is off.
    public init(_ name: String, _ field: Field, whenOff neutral: Value) {
        self.init(name, field, requirement: .whenEnabled(otherwise: neutral))
    }

    /// A key a file may always leave out.
    public init(_ name: String, _ field: Field, optional value: Value) {
        self.init(name, field, requirement: .optional(value))
    }

    init(_ name: String, _ field: Field, requirement: Requirement) {
        let kind: Kind
        let store: (inout Settings, Value) -> Bool
        let load: (Settings) -> Value
        switch field {
        case let .flag(path):
            kind = .flag
            store = { s, v in guard case let .flag(b) = v else { return false }; s[keyPath: path] = b; return true }
            load = { .flag($0[keyPath: path]) }
        case let .integer(path, range):
            kind = .integer(range: range)
            store = { s, v in guard case let .integer(i) = v else { return false }; s[keyPath: path] = i; return true }
            load = { .integer($0[keyPath: path]) }
        case let .real(path, range, scale):
            kind = .real(range: range, fileToModel: scale)
            store = { s, v in guard case let .real(x) = v else { return false }; s[keyPath: path] = x * scale; return true }
            load = { .real($0[keyPath: path] / scale) }
        case let .choice(path, options):
            kind = .choice(options: options)
            store = { s, v in guard case let .choice(c) = v else { return false }; s[keyPath: path] = c; return true }
            load = { .choice($0[keyPath: path]) }
        }
        self.init(name: name, kind: kind, requirement: requirement, store: store, load: load)
    }

    private init(name: String, kind: Kind, requirement: Requirement,
                 store: @escaping (inout Settings, Value) -> Bool, load: @escaping (Settings) -> Value) {
        self.name = name
        self.kind = kind
        self.requirement = requirement
        self.store = store
        self.load = load
    }

    /// This parameter on a larger settings type that holds `Settings` at
    /// `path`. (Composed closures rather than `appending(path:)`, whose key
    /// paths LeakSanitizer reports as leaked.)
    public func lifted<Root>(to path: WritableKeyPath<Root, Settings>) -> SimulatorParameter<Root> {
        let store = self.store, load = self.load
        let requirement: SimulatorParameter<Root>.Requirement = switch self.requirement {
        case .always: .always
        case let .whenEnabled(v): .whenEnabled(otherwise: Self.convert(from: v))
        case let .optional(v): .optional(Self.convert(from: v))
        }
        let kind: SimulatorParameter<Root>.Kind = switch self.kind {
        case .flag: .flag
        case let .integer(range): .integer(range: range)
        case let .real(range, scale): .real(range: range, fileToModel: scale)
        case let .choice(options): .choice(options: options)
        }
        return SimulatorParameter<Root>(
            name: name, kind: kind, requirement: requirement,
            store: { root, value in store(&root[keyPath: path], Self.convert(to: value)) },
            load: { root in Self.convert(from: load(root[keyPath: path])) })
    }

    private static func convert<Root>(from v: Value) -> SimulatorParameter<Root>.Value { convert(v) }

    private static func convert<Root>(to v: SimulatorParameter<Root>.Value) -> Value { convert(v) }

    private static func convert<From, To>(_ v: SimulatorParameter<From>.Value) -> SimulatorParameter<To>.Value {
        switch v {
        case let .flag(b): .flag(b)
        case let .integer(i): .integer(i)
        case let .real(x): .real(x)
        case let .choice(s): .choice(s)
        }
    }

    /// The value a file that leaves this key out gets, if it may.
    public var defaultValue: Value? {
        switch requirement {
        case .always: nil
        case let .whenEnabled(v), let .optional(v): v
        }
    }

    /// Sets `value` (in the file's unit) on `settings`; false when the value
    /// is not of this key's type.
    @discardableResult
    public func set(_ value: Value, on settings: inout Settings) -> Bool { store(&settings, value) }

    /// The key's value in `settings`, in the file's unit.
    public func value(in settings: Settings) -> Value { load(settings) }

    /// The range as the board-file documentation prints it (`1e-6…1`, `−55…150`).
    public var documentedRange: String? {
        switch kind {
        case .flag, .choice: nil
        case let .integer(range): "\(Self.documented(range.lowerBound))…\(Self.documented(range.upperBound))"
        case let .real(range, _): "\(Self.documented(range.lowerBound))…\(Self.documented(range.upperBound))"
        }
    }

    static func documented(_ x: Int) -> String {
        x == Int.max ? "2⁶³−1" : (x < 0 ? "−\(-x)" : "\(x)")
    }

    static func documented(_ x: Double) -> String {
        if x < 0 { return "−" + documented(-x) }
        if x == 0 { return "0" }
        let exponent = x.exponentForPowerOfTen
        if let exponent, exponent >= 5 || exponent <= -3 { return "1e\(exponent)" }
        if x == x.rounded(), x < 1e15 { return "\(Int(x))" }
        return "\(x)"
    }
}

extension Double {
    /// n when this is exactly 10ⁿ as a literal would give it, else nil.
    fileprivate var exponentForPowerOfTen: Int? {
        (-30...30).first { Double("1e\($0)") == self }
    }
}

/// A combination of keys that are each in range but not together, found by
/// a table's check after every key is read.
public struct ParameterViolation: Sendable, Hashable, Error {
    /// The full key (`geometry.columns_per_adc`) the value belongs to.
    public var key: String
    /// The other keys that make the combination.
    public var related: [String]
    public var value: String
    public var expected: String

    public init(key: String, related: [String] = [], value: String, expected: String) {
        self.key = key
        self.related = related
        self.value = value
        self.expected = expected
    }

    /// A number as a board file would write it: integers without a fraction.
    public static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return "\(x)"
    }
}
