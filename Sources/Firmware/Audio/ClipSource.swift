import Foundation

/// A path that may be one WAV file or a directory of them, optionally
/// looped: what `--audio PATH` opens. Kept as one type for callers that
/// hold a path; the work is done by `WAVFileSource`, `WAVDirectorySource`
/// and `LoopingSource`, each decoded once however often it loops.
public final class ClipSource: AudioSource {
    public let name: String
    public var sampleRateHertz: Int { audioSampleRateHertz }
    private let source: any AudioSource

    public init(path: String, loop: Bool = false) throws(AudioSourceError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AudioSourceError(source: path, field: "path", value: "missing (no such file or directory)",
                                   expected: "a .wav file, a directory of them, - (raw PCM on stdin) or mic[:DEVICE]")
        }
        if isDirectory.boolValue {
            let directory = try WAVDirectorySource(path: path)
            source = loop ? try LoopingSource { directory.restarted() } : directory
        } else {
            let file = try WAVFileSource(path: path)
            source = loop ? try LoopingSource { file.restarted() } : file
        }
        name = path
    }

    public func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        try source.read(into: buffer)
    }

    public func close() { source.close() }
}
