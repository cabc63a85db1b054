import Foundation
import KWS

/// Every audio file of a directory (.wav, .flac, .ogg, .aiff), in name
/// order, played back to back. Each file is decoded once when the source
/// opens, so a bad one is named before the run starts; playback decodes one
/// file at a time.
final class AudioDirectorySource: AudioSource {
    let name: String
    var sampleRateHertz: Int { audioSampleRateHertz }
    /// The files, full paths, sorted by name.
    let paths: [String]
    private var index = 0
    private var current: AudioFileSource?

    convenience init(path: String) throws(AudioSourceError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AudioSourceError(source: path, field: "directory", value: "missing", expected: "a directory of audio files")
        }
        guard isDirectory.boolValue else {
            throw AudioSourceError(source: path, field: "path", value: "a file", expected: "a directory of audio files")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw AudioSourceError(source: path, field: "directory", value: "unreadable (\(error.localizedDescription))", expected: "a readable directory")
        }
        let files = names.filter(AudioFile.isAudioFileName).sorted()
        guard !files.isEmpty else {
            throw AudioSourceError(source: path, field: "audio files", value: "none (\(names.count) other entries)",
                                   expected: "at least one \(AudioFile.fileSuffixes.joined(separator: ", ")) file")
        }
        let paths = files.map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
        var warnings: [String] = []
        for file in paths { warnings += try AudioFileSource(path: file, minimumSamples: 0).warnings }
        self.init(name: path, paths: paths, warnings: warnings)
    }

    let warnings: [String]

    private init(name: String, paths: [String], warnings: [String]) {
        self.warnings = warnings
        self.name = name
        self.paths = paths
    }

    /// The same files from the first again (a loop's next pass), without listing or checking them again.
    func restarted() -> AudioDirectorySource { AudioDirectorySource(name: name, paths: paths, warnings: warnings) }

    func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        guard !buffer.isEmpty else { return 0 }
        while index < paths.count {
            if current == nil { current = try AudioFileSource(path: paths[index], minimumSamples: 0) }
            if let file = current {
                let n = try file.read(into: buffer)
                if n > 0 { return n }
            }
            current = nil
            index += 1
        }
        return 0
    }

    func close() {
        current = nil
        index = paths.count
    }
}
