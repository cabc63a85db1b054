import Foundation
import KWS

/// What `--audio` names: an audio file (WAV, FLAC, Ogg, AIFF) or a
/// directory of them, `-` for raw 16-bit PCM on stdin, or `mic` /
/// `mic:DEVICE` for a live microphone through arecord. Parsing checks the
/// form (and, for a path, that it is an audio file or a directory); opening
/// checks the audio itself.
public enum AudioSourceSpec: Sendable, Hashable {
    /// An audio file or a directory of them.
    case files(path: String)
    case standardInput
    case microphone(device: String?)

    static let expected = "an audio file (.wav, .flac, .ogg, .aiff), a directory of them, - (raw 16-bit PCM on stdin) or mic[:DEVICE]"

    public init(_ text: String) throws(AudioSourceError) {
        switch text {
        case "": throw AudioSourceError(source: "--audio", field: "value", value: "empty", expected: Self.expected)
        case "-": self = .standardInput
        case "mic": self = .microphone(device: nil)
        default:
            if text.hasPrefix("mic:") {
                let device = String(text.dropFirst(4))
                guard !device.isEmpty else {
                    throw AudioSourceError(source: "--audio", field: "value", value: "\"\(text)\" (no device after mic:)",
                                           expected: "mic for the default device or mic:DEVICE with an ALSA name such as mic:plughw:1,0")
                }
                self = .microphone(device: device)
                return
            }
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory)
            guard isDirectory.boolValue || AudioFile.isAudioFileName(text) else {
                throw AudioSourceError(source: "--audio", field: "value",
                                       value: "\"\(text)\" (\(exists ? "not named as an audio file" : "no such file or directory"))", expected: Self.expected)
            }
            self = .files(path: text)
        }
    }

    /// Opens it. `loop` replays files for as long as they are read (a run
    /// longer than the recording); a stream or microphone plays once. A
    /// blocked read on stdin or the microphone ends the stream when
    /// `stopsOnInterrupt` says the firmware is stopping.
    public func open(loop: Bool, searchPath: String? = nil,
                     stopsOnInterrupt: @escaping () -> Bool = { StopSignal.isRaised }) throws(AudioSourceError) -> any AudioSource {
        switch self {
        case .files(let path): return try ClipSource(path: path, loop: loop)
        case .standardInput: return RawPCMSource(fileDescriptor: 0, name: "stdin", stopsOnInterrupt: stopsOnInterrupt)
        case .microphone(let device): return try ArecordSource(device: device, searchPath: searchPath, stopsOnInterrupt: stopsOnInterrupt)
        }
    }
}
