import Foundation
import TOMLKit
import TOMLPreflight

/// Reads the keys of a board file, and of the presets it inherits from, with
/// typed, range-checked accessors. Every key a board may hold is asked for
/// by some accessor (or declared optional), so whatever is left afterwards is
/// an unknown key — reported with the file it came from.
struct BoardFileReader {
    struct Entry {
        var value: TOMLValueConvertible
        var file: String
        /// 0 for the user's file, 1 for the preset it inherits, and so on.
        var depth: Int
    }

    /// The file the user named.
    let file: String
    private(set) var entries: [String: Entry] = [:]
    private var consumed: Set<String> = []

    init(path: String) throws(BoardFileError) {
        file = path
        try load(path: path, depth: 0, chain: [])
    }

    private mutating func load(path: String, depth: Int, chain: [String]) throws(BoardFileError) {
        let canonical = URL(fileURLWithPath: path).standardizedFileURL.path
        if chain.contains(canonical) {
            throw BoardFileError(.inheritanceCycle, file: path, expected: (chain + [canonical]).joined(separator: " -> "))
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw BoardFileError(.unreadable, file: path, expected: "\(error.localizedDescription)")
        }
        do throws(TOMLPreflight.Problem) { try TOMLPreflight.check(text) } catch {
            throw BoardFileError(.syntax, file: path, expected: error.description)
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw BoardFileError(.syntax, file: path, expected: "\(error.description) at line \(error.source.begin.line), column \(error.source.begin.column)")
        } catch {
            throw BoardFileError(.syntax, file: path, expected: "\(error)")
        }
        var own: [String: Entry] = [:]
        Self.flatten(table, prefix: "", file: path, depth: depth, into: &own)
        if let inherits = own.removeValue(forKey: "inherits") {
            guard let name = inherits.value.string else {
                throw BoardFileError(.wrongType, file: path, key: "inherits", value: "\(inherits.value)",
                                     expected: "a string: the path of a preset board file, relative to this file")
            }
            let base = name.hasPrefix("/")
                ? name
                : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(name).path
            try load(path: base, depth: depth + 1, chain: chain + [canonical])
        }
        entries.merge(own) { _, child in child }
    }

    private static func flatten(_ table: TOMLTable, prefix: String, file: String, depth: Int, into out: inout [String: Entry]) {
        for key in table.keys.sorted() {
            guard let value = table[key] else { continue }
            let path = prefix.isEmpty ? key : prefix + "." + key
            if let sub = value.table {
                flatten(sub, prefix: path, file: file, depth: depth, into: &out)
            } else {
                out[path] = Entry(value: value, file: file, depth: depth)
            }
        }
    }

    // MARK: Accessors

    private mutating func entry(_ key: String, expected: String) throws(BoardFileError) -> Entry {
        consumed.insert(key)
        guard let e = entries[key] else {
            throw BoardFileError(.missingKey, file: file, key: key, expected: expected + " (or 'inherits' a preset that sets it)")
        }
        return e
    }

    func has(_ key: String) -> Bool { entries[key] != nil }

    /// The file that set `key` (the user's or an inherited preset): a path in
    /// a value is relative to the file it was written in.
    func file(defining key: String) -> String { entries[key]?.file ?? file }

    /// Names of the tables under `prefix` (`[power.board]`, `[power.cim]` → ["board", "cim"]).
    func subtables(of prefix: String) -> [String] {
        let start = prefix + "."
        let names = entries.keys.compactMap { key -> String? in
            guard key.hasPrefix(start) else { return nil }
            let rest = key.dropFirst(start.count)
            guard let dot = rest.firstIndex(of: ".") else { return nil }
            return String(rest[..<dot])
        }
        return Set(names).sorted()
    }

    /// Declares keys that may go unread when they come from an inherited
    /// preset (they belong to another variant of a section). In the user's
    /// own file an unread key is still an unknown key.
    mutating func allowInherited(_ keys: [String]) {
        consumed.formUnion(keys.filter { (entries[$0]?.depth ?? 0) > 0 })
    }

    /// The value of `key` as a T, or a wrong-type error that says `expected`.
    private mutating func typed<T>(_ key: String, expected: String,
                                   _ extract: (TOMLValueConvertible) -> T?) throws(BoardFileError) -> (value: T, entry: Entry) {
        let e = try entry(key, expected: expected)
        guard let value = extract(e.value) else {
            throw BoardFileError(.wrongType, file: e.file, key: key, value: "\(e.value)", expected: expected)
        }
        return (value, e)
    }

    private static func number(_ value: TOMLValueConvertible) -> Double? {
        value.double ?? value.int.map(Double.init)
    }

    mutating func double(_ key: String, in range: ClosedRange<Double>) throws(BoardFileError) -> Double {
        let expected = "a number in \(Self.format(range.lowerBound))...\(Self.format(range.upperBound))"
        let (number, e) = try typed(key, expected: expected, Self.number)
        guard number.isFinite, range.contains(number) else {
            throw BoardFileError(.outOfRange, file: e.file, key: key, value: Self.format(number), expected: expected)
        }
        return number
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>) throws(BoardFileError) -> Int {
        let expected = "an integer in \(range.lowerBound)...\(range.upperBound)"
        let (i, e) = try typed(key, expected: expected) { $0.int }
        guard range.contains(i) else {
            throw BoardFileError(.outOfRange, file: e.file, key: key, value: "\(i)", expected: expected)
        }
        return i
    }

    mutating func bool(_ key: String) throws(BoardFileError) -> Bool {
        try typed(key, expected: "true or false") { $0.bool }.value
    }

    mutating func string(_ key: String, oneOf allowed: [String]) throws(BoardFileError) -> String {
        let expected = "one of " + allowed.map { "\"\($0)\"" }.joined(separator: ", ")
        let (s, e) = try typed(key, expected: expected) { $0.string }
        guard allowed.contains(s) else {
            throw BoardFileError(.outOfRange, file: e.file, key: key, value: "\"\(s)\"", expected: expected)
        }
        return s
    }

    mutating func string(_ key: String) throws(BoardFileError) -> String {
        try typed(key, expected: "a string") { $0.string }.value
    }

    mutating func doubles(_ key: String, in range: ClosedRange<Double>) throws(BoardFileError) -> [Double] {
        let expected = "an array of numbers in \(Self.format(range.lowerBound))...\(Self.format(range.upperBound))"
        let (array, e) = try typed(key, expected: expected) { $0.array }
        var out: [Double] = []
        for (index, item) in array.enumerated() {
            guard let number = Self.number(item) else {
                throw BoardFileError(.wrongType, file: e.file, key: "\(key)[\(index)]", value: "\(item)", expected: expected)
            }
            guard number.isFinite, range.contains(number) else {
                throw BoardFileError(.outOfRange, file: e.file, key: "\(key)[\(index)]", value: Self.format(number), expected: expected)
            }
            out.append(number)
        }
        return out
    }

    /// An error about `key` whose value is wrong given the values of
    /// `related` keys. It names the file nearest the user's among them: the
    /// one that made the combination, not a shared preset it inherits.
    func error(_ kind: BoardFileError.Kind, key: String, related: [String] = [], value: String, expected: String) -> BoardFileError {
        let sources = ([key] + related).compactMap { entries[$0] }
        let nearest = sources.min { $0.depth < $1.depth }
        return BoardFileError(kind, file: nearest?.file ?? file, key: key, value: value, expected: expected)
    }

    /// Fails on the first key no accessor asked for.
    func rejectUnknownKeys(validKeysHint: String) throws(BoardFileError) {
        for (key, e) in entries.sorted(by: { $0.key < $1.key }) where !consumed.contains(key) {
            throw BoardFileError(.unknownKey, file: e.file, key: key, value: "\(e.value)", expected: validKeysHint)
        }
    }

    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return "\(x)"
    }
}
