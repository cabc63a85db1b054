/// Checks a TOML text for the inputs that make toml++ (inside TOMLKit)
/// abort the process instead of reporting a parse error: a table header
/// whose first key does not start like a key (`[#`, `[=`, `[,`, `[.]`, `[[#]]`,
/// a `[` that ends its line)
/// hit an assertion in toml++'s `parse_key`, found by fuzzing the board-file
/// loader). Such text is refused here, with its line and column, before the
/// parser sees it; everything else is left to the parser.
public enum TOMLPreflight {
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var found: Character

        public var description: String {
            "a table header must start with a key (a letter, digit, '_', '-' or a quoted key), found \(found == "\n" ? "the end of the line" : "'\(found)'") at line \(line), column \(column)"
        }
    }

    public static func check(_ text: String) throws(Problem) {
        var inMultilineString: String?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // Lines inside a """ or ''' string are string content, not headers.
            let startsInString = inMultilineString != nil
            for delimiter in ["\"\"\"", "'''"] {
                let count = occurrences(of: delimiter, in: line)
                guard count % 2 == 1 else { continue }
                if inMultilineString == nil { inMultilineString = delimiter } else if inMultilineString == delimiter { inMultilineString = nil }
            }
            guard !startsInString else { continue }
            var characters = Array(line)
            var column = 0
            while column < characters.count, characters[column] == " " || characters[column] == "\t" { column += 1 }
            guard column < characters.count, characters[column] == "[" else { continue }
            column += 1
            if column < characters.count, characters[column] == "[" { column += 1 }
            while column < characters.count, characters[column] == " " || characters[column] == "\t" { column += 1 }
            // The line ends after the bracket: toml++ asserts on that too.
            guard column < characters.count else { throw Problem(line: index + 1, column: column + 1, found: "\n") }
            let c = characters[column]
            let startsAKey = c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-") || c == "\"" || c == "'" || c == "]"
            guard startsAKey else { throw Problem(line: index + 1, column: column + 1, found: c) }
            characters.removeAll()
        }
    }

    /// Non-overlapping occurrences of `needle` in `line`.
    static func occurrences(of needle: String, in line: Substring) -> Int {
        let pattern = Array(needle.utf8), bytes = Array(line.utf8)
        var count = 0, i = 0
        while i + pattern.count <= bytes.count {
            if bytes[i..<(i + pattern.count)].elementsEqual(pattern) {
                count += 1
                i += pattern.count
            } else {
                i += 1
            }
        }
        return count
    }
}
