/// A board file that cannot be used, with everything needed to fix it: the
/// file, the key, the value found and what was expected.
public struct BoardFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case unreadable
        case syntax
        case unknownKey
        case missingKey
        case wrongType
        case outOfRange
        case inconsistent
        case inheritanceCycle
    }

    public var kind: Kind
    public var file: String
    public var key: String?
    public var value: String?
    public var expected: String

    public init(_ kind: Kind, file: String, key: String? = nil, value: String? = nil, expected: String) {
        self.kind = kind
        self.file = file
        self.key = key
        self.value = value
        self.expected = expected
    }

    public var description: String {
        var parts = [file]
        if let key { parts.append("key '\(key)'") }
        switch kind {
        case .unreadable: return "\(file): cannot read: \(expected)"
        case .syntax: return "\(file): invalid TOML: \(expected)"
        case .unknownKey:
            return parts.joined(separator: ": ") + ": unknown key (value \(value ?? "?")); \(expected)"
        case .missingKey:
            return parts.joined(separator: ": ") + ": missing; expected \(expected)"
        case .wrongType, .outOfRange, .inconsistent:
            return parts.joined(separator: ": ") + ": value \(value ?? "?") is invalid; expected \(expected)"
        case .inheritanceCycle:
            return "\(file): 'inherits' forms a cycle: \(expected)"
        }
    }
}
