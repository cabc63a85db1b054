import Crypto
import Foundation

/// SHA-256 of a file the manifest names, streamed in blocks (a model can be
/// megabytes; nothing is held whole).
enum FileDigest {
    static func sha256(of file: String, manifest: String, key: String) throws(ManifestError) -> String {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw ManifestError(file: manifest, key: key, expected: "\(file) to be readable, to check its SHA-256")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        while true {
            let block: Data?
            do { block = try handle.read(upToCount: 1 << 16) } catch {
                throw ManifestError(file: manifest, key: key, expected: "\(file) to be readable, to check its SHA-256: \(error)")
            }
            guard let block, !block.isEmpty else { break }
            hash.update(data: block)
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
