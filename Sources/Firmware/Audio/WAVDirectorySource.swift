import Foundation

/// Every `*.wav` of a directory, in name order, played back to back. Each
/// file is checked (16 kHz mono) when the source opens, so a bad one is
/// named before the run starts; playback decodes one file at a time.
public final class WAVDirectorySource: AudioSource {
    public let name: String
    public var sampleRateHertz: Int { audioSampleRateHertz }
    /// The files, full paths, sorted by name.
    public let paths: [String]
    private var index = 0
    private var current: WAVFileSource?

    public convenience init(path: String) throws(AudioSourceError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AudioSourceError(source: path, field: "directory", value: "missing", expected: "a directory of 16 kHz mono .wav files")
        }
        guard isDirectory.boolValue else {
            throw AudioSourceError(source: path, field: "path", value: "a file", expected: "a directory of 16 kHz mono .wav files")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw AudioSourceError(source: path, field: "directory", value: "unreadable (\(error.localizedDescription))", expected: "a readable directory")
        }
        let wavs = names.filter { $0.lowercased().hasSuffix(".wav") }.sorted()
        guard !wavs.isEmpty else {
            throw AudioSourceError(source: path, field: ".wav files", value: "none (\(names.count) other entries)", expected: "at least one")
        }
        let paths = wavs.map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
        for file in paths { _ = try WAVFileSource(path: file) }
        self.init(name: path, paths: paths)
    }

    private init(name: String, paths: [String]) {
        self.name = name
        self.paths = paths
    }

    /// The same files from the first again (a loop's next pass), without listing or checking them again.
    public func restarted() -> WAVDirectorySource { WAVDirectorySource(name: name, paths: paths) }

    public func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        guard !buffer.isEmpty else { return 0 }
        while index < paths.count {
            if current == nil { current = try WAVFileSource(path: paths[index]) }
            if let file = current {
                let n = try file.read(into: buffer)
                if n > 0 { return n }
            }
            current = nil
            index += 1
        }
        return 0
    }

    public func close() {
        current = nil
        index = paths.count
    }
}
