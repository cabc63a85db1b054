/// A manifest that cannot be used: the file, the key, the value found and
/// what was expected, so the fix is obvious from the message alone.
public struct ManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var key: String?
    public var value: String?
    public var expected: String

    public init(file: String, key: String? = nil, value: String? = nil, expected: String) {
        self.file = file
        self.key = key
        self.value = value
        self.expected = expected
    }

    public var description: String {
        guard let key else { return "\(file): \(expected)" }
        guard let value else { return "\(file): key '\(key)': \(expected)" }
        return "\(file): key '\(key)': value \(value) is invalid; expected \(expected)"
    }
}
