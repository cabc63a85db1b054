import Foundation
import KWS

/// WAV files played back to back: one file, or every `*.wav` of a
/// directory in name order. Each file must be 16 kHz mono (PCM 16-bit or
/// float); a file that is not is an error naming it. `loop` replays the
/// set for as long as the firmware reads (a one-minute stream feeding a
/// day-long run).
public final class ClipSource: AudioSource {
    public let name: String
    public var isLive: Bool { false }
    private let paths: [String]
    private let loop: Bool
    private var current: [Float] = []
    private var fileIndex = -1
    private var position = 0

    public init(path: String, loop: Bool = false) throws(AudioSourceError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AudioSourceError(source: path, message: "no such file or directory; expected a .wav file, a directory of them, - (raw PCM on stdin) or mic[:DEVICE]")
        }
        if isDirectory.boolValue {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                throw AudioSourceError(source: path, message: "cannot list the directory: \(error.localizedDescription)")
            }
            paths = names.filter { $0.lowercased().hasSuffix(".wav") }.sorted().map { (path as NSString).appendingPathComponent($0) }
            guard !paths.isEmpty else { throw AudioSourceError(source: path, message: "the directory holds no .wav files") }
        } else {
            paths = [path]
        }
        name = path
        self.loop = loop
        try openNext()
    }

    private func openNext() throws(AudioSourceError) {
        fileIndex += 1
        if fileIndex == paths.count {
            guard loop else { current = []; position = 0; return }
            fileIndex = 0
            // One file looping: it is already decoded.
            if paths.count == 1 && !current.isEmpty { position = 0; return }
        }
        do {
            current = try WAVFile.read(path: paths[fileIndex], expectedSampleRateHertz: audioSampleRateHertz).samples
        } catch {
            throw AudioSourceError(source: paths[fileIndex], message: "\(error)")
        }
        position = 0
    }

    public func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        var filled = 0
        while filled < buffer.count {
            if position == current.count {
                if fileIndex >= paths.count - 1 && !loop { break }
                try openNext()
                if current.isEmpty { break }
                continue
            }
            let n = min(buffer.count - filled, current.count - position)
            for k in 0..<n { buffer[filled + k] = current[position + k] }
            position += n
            filled += n
        }
        return filled
    }

    public func close() {}
}
