/// What `--audio` names: a WAV file, a directory of them, `-` for raw PCM
/// on stdin, or `mic` / `mic:DEVICE` for a live microphone.
public enum AudioSourceSpec: Sendable, Hashable {
    case files(path: String)
    case standardInput
    case microphone(device: String?)

    public init(_ text: String) throws(AudioSourceError) {
        switch text {
        case "": throw AudioSourceError(source: "--audio", message: "empty; expected a .wav file, a directory of them, - (raw 16-bit PCM on stdin) or mic[:DEVICE]")
        case "-": self = .standardInput
        case "mic": self = .microphone(device: nil)
        default:
            if text.hasPrefix("mic:") { self = .microphone(device: String(text.dropFirst(4))) } else { self = .files(path: text) }
        }
    }

    /// Opens it; files loop when `loop` is set (a run longer than the recording).
    public func open(loop: Bool) throws(AudioSourceError) -> any AudioSource {
        switch self {
        case .files(let path): return try ClipSource(path: path, loop: loop)
        case .standardInput: return PCMStreamSource(fileDescriptor: 0, name: "stdin")
        case .microphone(let device): return try ArecordSource(device: device)
        }
    }
}
