/// The log file and the full files rotated out of it: `energy.csv` is
/// current, `energy.1.csv` the newest full one, `energy.<keep>.csv` the
/// oldest kept. A path that does not end in `.csv` gets `.1`, `.2`, …
/// appended instead.
struct RotatedLogSet {
    let path: String
    let keepRotated: Int

    func rotatedPath(_ index: Int) -> String {
        path.hasSuffix(".csv") ? String(path.dropLast(4)) + ".\(index).csv" : path + ".\(index)"
    }

    /// Moves the current file to `.1` after shifting `.k` to `.k+1` from the
    /// oldest down; the one beyond `keepRotated` is removed, and with
    /// `keepRotated` 0 the current file itself is. Files missing from the
    /// set (a gap left by a crash mid-shift) are skipped. Nothing is ever
    /// renamed onto a file that is still kept, so no rotated file is lost
    /// to a later one.
    func rotate(operation: LogError.Operation) throws(LogError) {
        guard keepRotated > 0 else {
            try LogFileSystem.remove(path, operation: .removeOldest)
            return
        }
        try LogFileSystem.remove(rotatedPath(keepRotated), operation: .removeOldest)
        var index = keepRotated - 1
        while index >= 1 {
            try LogFileSystem.rename(rotatedPath(index), to: rotatedPath(index + 1), operation: operation)
            index -= 1
        }
        try LogFileSystem.rename(path, to: rotatedPath(1), operation: operation)
    }
}
