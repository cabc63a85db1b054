import Foundation

/// A path that may be one audio file or a directory of them, optionally
/// looped: what `--audio PATH` opens. Kept as one type for callers that
/// hold a path; the work is done by `AudioFileSource`, `AudioDirectorySource`
/// and `LoopingSource`, each decoded once however often it loops.
final class ClipSource: AudioSource {
    let name: String
    var sampleRateHertz: Int { audioSampleRateHertz }
    private let source: any AudioSource
    let warnings: [String]

    init(path: String, loop: Bool = false) throws(AudioSourceError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AudioSourceError(source: path, field: "path", value: "missing (no such file or directory)",
                                   expected: AudioSourceSpec.expected)
        }
        if isDirectory.boolValue {
            let directory = try AudioDirectorySource(path: path)
            warnings = directory.warnings
            source = loop ? try LoopingSource { directory.restarted() } : directory
        } else {
            let file = try AudioFileSource(path: path, minimumSamples: audioSampleRateHertz)
            warnings = file.warnings
            source = loop ? try LoopingSource { file.restarted() } : file
        }
        name = path
    }

    func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        try source.read(into: buffer)
    }

    func close() { source.close() }
}
