/// Checks a TOML text for the inputs that make toml++ (inside TOMLKit)
/// abort the process instead of reporting a parse error: a table header
/// whose first key does not start like a key (`[#`, `[=`, `[,`, `[.]`, `[[#]]`,
/// a `[` that ends its line, a `[` followed by a combining mark) hits an
/// assertion in toml++'s `parse_key`, and a `}` where an array expects a
/// value (`[}`, `[1, }`) one in its `parse_value` (found by fuzzing the
/// board-file, manifest and sweep-spec loaders). Such text is refused here,
/// with its line and column, before the parser sees it; everything else is
/// left to the parser.
///
/// A header is a `[` that starts a line outside any string, comment or
/// array, so the text is lexed as far as that takes: strings (all four
/// kinds, with escapes), comments, and bracket depth in values. It works on
/// Unicode scalars, not Characters: a combining mark after the bracket
/// ("[" U+073C) is one grapheme that is not "[", yet toml++ reads a '['
/// followed by a byte that starts no key.
public enum TOMLPreflight {
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var found: Character
        public var expected: String

        static let headerKey = "a table header must start with a key (a letter, digit, '_', '-' or a quoted key)"
        static let arrayValue = "an array value or ']' after '[' or ','"

        public var description: String {
            "\(expected), found \(found == "\n" ? "the end of the line" : "'\(found)'") at line \(line), column \(column)"
        }
    }

    private enum Context {
        case value
        case comment
        case basicString, literalString
        case multilineBasicString, multilineLiteralString
    }

    public static func check(_ text: String) throws(Problem) {
        let s = Array(text.unicodeScalars)
        var context = Context.value
        var open: [Unicode.Scalar] = []   // the [ and { of values (arrays and inline tables) still open
        var arrayExpectsValue = false      // just after an array's '[' or ',', blanks and comments aside
        var inHeaderLine = false   // a header's own brackets are not value brackets
        var line = 1, lineStart = 0
        var i = 0

        func run(of quote: Unicode.Scalar, at index: Int) -> Int {
            var n = 0
            while index + n < s.count, s[index + n] == quote { n += 1 }
            return n
        }

        while i <= s.count {
            if i == lineStart, context == .value, open.isEmpty {
                try checkHeader(s, from: i, line: line, lineStart: lineStart)
                var j = i
                while j < s.count, s[j] == " " || s[j] == "\t" { j += 1 }
                inHeaderLine = j < s.count && s[j] == "["
            }
            guard i < s.count else { break }
            let c = s[i]
            if c == "\n" {
                if context == .comment || context == .basicString || context == .literalString { context = .value }
                inHeaderLine = false
                line += 1
                i += 1
                lineStart = i
                continue
            }
            switch context {
            case .comment:
                i += 1
            case .value:
                if arrayExpectsValue, c != " ", c != "\t", c != "\r", c != "#" {
                    arrayExpectsValue = false
                    if c == "}" {
                        throw Problem(line: line, column: i - lineStart + 1, found: "}", expected: Problem.arrayValue)
                    }
                }
                switch c {
                case "#": context = .comment; i += 1
                case "\"":
                    let n = run(of: "\"", at: i)
                    if n >= 3 { context = .multilineBasicString; i += 3 } else { context = .basicString; i += 1 }
                case "'":
                    let n = run(of: "'", at: i)
                    if n >= 3 { context = .multilineLiteralString; i += 3 } else { context = .literalString; i += 1 }
                case "[", "{":
                    if !inHeaderLine {
                        open.append(c)
                        arrayExpectsValue = c == "["
                    }
                    i += 1
                case "]", "}":
                    if !inHeaderLine, !open.isEmpty { open.removeLast() }
                    i += 1
                case ",":
                    arrayExpectsValue = !inHeaderLine && open.last == "["
                    i += 1
                default: i += 1
                }
            case .basicString, .multilineBasicString:
                if c == "\\" { i += 2; continue }   // an escape, the escaped scalar included
                guard c == "\"" else { i += 1; continue }
                if context == .basicString { context = .value; i += 1; continue }
                // Up to two quotes may end the content just before the closing """.
                let n = run(of: "\"", at: i)
                if n >= 3 { context = .value; i += min(n, 5) } else { i += n }
            case .literalString, .multilineLiteralString:
                guard c == "'" else { i += 1; continue }
                if context == .literalString { context = .value; i += 1; continue }
                let n = run(of: "'", at: i)
                if n >= 3 { context = .value; i += min(n, 5) } else { i += n }
            }
        }
    }

    /// A line outside strings, comments and arrays: if it starts a header,
    /// the header's first key must start like a key.
    private static func checkHeader(_ s: [Unicode.Scalar], from start: Int, line: Int, lineStart: Int) throws(Problem) {
        var column = start
        func skipBlanks() { while column < s.count, s[column] == " " || s[column] == "\t" { column += 1 } }
        skipBlanks()
        guard column < s.count, s[column] == "[" else { return }
        column += 1
        if column < s.count, s[column] == "[" { column += 1 }
        skipBlanks()
        // The line or the text ends after the bracket: toml++ asserts on that too.
        guard column < s.count, s[column] != "\n", s[column] != "\r" else {
            throw Problem(line: line, column: column - lineStart + 1, found: "\n", expected: Problem.headerKey)
        }
        let c = s[column]
        let startsAKey = c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-")
            || c == "\"" || c == "'" || c == "]"
        guard startsAKey else {
            throw Problem(line: line, column: column - lineStart + 1, found: Character(c), expected: Problem.headerKey)
        }
    }
}
