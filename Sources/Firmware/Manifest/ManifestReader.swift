import Foundation
import TOMLKit
import TOMLPreflight

/// The keys of a manifest, flattened to dotted paths, with typed and
/// range-checked accessors that fall back to a default. Whatever no
/// accessor asked for is an unknown key, and an error: a misspelt key
/// must not silently leave its default in force.
struct ManifestReader {
    let file: String
    private var entries: [String: TOMLValueConvertible] = [:]
    private var consumed: Set<String> = []

    init(path: String) throws(ManifestError) {
        file = path
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ManifestError(file: path, expected: "a readable firmware manifest (\(error.localizedDescription))")
        }
        do throws(TOMLPreflight.Problem) { try TOMLPreflight.check(text) } catch {
            throw ManifestError(file: path, expected: "valid TOML: \(error.description)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ManifestError(file: path, expected: "valid TOML: \(error.description) at line \(error.source.begin.line), column \(error.source.begin.column)")
        } catch {
            throw ManifestError(file: path, expected: "valid TOML: \(error)")
        }
        Self.flatten(table, prefix: "", into: &entries)
    }

    private static func flatten(_ table: TOMLTable, prefix: String, into out: inout [String: TOMLValueConvertible]) {
        for key in table.keys {
            guard let value = table[key] else { continue }
            let path = prefix.isEmpty ? key : prefix + "." + key
            if let sub = value.table { flatten(sub, prefix: path, into: &out) } else { out[path] = value }
        }
    }

    private func invalid(_ key: String, _ value: TOMLValueConvertible, _ expected: String) -> ManifestError {
        ManifestError(file: file, key: key, value: "\(value)", expected: expected)
    }

    mutating func double(_ key: String, default fallback: Double, in range: ClosedRange<Double>, unit: String = "") -> Result<Double, ManifestError> {
        consumed.insert(key)
        guard let raw = entries[key] else { return .success(fallback) }
        let expected = "a number in \(format(range.lowerBound))...\(format(range.upperBound))\(unit)"
        guard let x = raw.double ?? raw.int.map(Double.init) else { return .failure(invalid(key, raw, expected)) }
        guard x.isFinite, range.contains(x) else { return .failure(invalid(key, raw, expected)) }
        return .success(x)
    }

    mutating func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>, unit: String = "") -> Result<Int, ManifestError> {
        consumed.insert(key)
        guard let raw = entries[key] else { return .success(fallback) }
        let expected = "an integer in \(range.lowerBound)...\(range.upperBound)\(unit)"
        guard let x = raw.int, range.contains(x) else { return .failure(invalid(key, raw, expected)) }
        return .success(x)
    }

    mutating func bool(_ key: String, default fallback: Bool) -> Result<Bool, ManifestError> {
        consumed.insert(key)
        guard let raw = entries[key] else { return .success(fallback) }
        guard let x = raw.bool else { return .failure(invalid(key, raw, "true or false")) }
        return .success(x)
    }

    func has(_ key: String) -> Bool { entries[key] != nil }

    mutating func string(_ key: String, default fallback: String?) -> Result<String, ManifestError> {
        consumed.insert(key)
        guard let raw = entries[key] else {
            if let fallback { return .success(fallback) }
            return .failure(ManifestError(file: file, key: key, expected: "missing; a string is required"))
        }
        guard let x = raw.string, !x.isEmpty else { return .failure(invalid(key, raw, "a non-empty string")) }
        return .success(x)
    }

    func rejectUnknownKeys(known: String) throws(ManifestError) {
        if let key = entries.keys.filter({ !consumed.contains($0) }).sorted().first, let value = entries[key] {
            throw ManifestError(file: file, key: key, value: "\(value)", expected: "no such key; a manifest has \(known)")
        }
    }

    private func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}
