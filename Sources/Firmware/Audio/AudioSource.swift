/// Mono 16 kHz audio as floats in [−1, 1], from wherever it comes: a WAV
/// file, a directory of them, raw PCM on a file descriptor, a microphone.
/// Class-bound because a source owns a position, a descriptor or a child
/// process that `close` releases.
public protocol AudioSource: AnyObject {
    /// What to call it in messages: a path, "stdin", "arecord (default device)".
    var name: String { get }
    var sampleRateHertz: Int { get }
    /// Fills up to `buffer.count` samples and returns how many. It may return
    /// fewer than asked (a pipe delivers what it has); it returns 0 only
    /// when the stream has ended.
    func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int
    /// Releases what the source holds (descriptor, child process). Reading
    /// after `close` returns 0.
    func close()
    /// What opening it noticed that a user should know (resampled, padded, cut short).
    var warnings: [String] { get }
}

extension AudioSource {
    public var warnings: [String] { [] }
}

/// Why audio could not be opened or read. `source` names the file, device or
/// stream; `message` says what was found and what was expected.
public struct AudioSourceError: Error, Sendable, Hashable, CustomStringConvertible {
    public var source: String
    public var message: String

    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }

    /// A field of the input that has the wrong value, in the form WAV errors use.
    public init(source: String, field: String, value: String, expected: String) {
        self.init(source: source, message: "\(field) is \(value); expected \(expected)")
    }

    public var description: String { "\(source): \(message)" }
}

/// The rate every source delivers and the model takes.
public let audioSampleRateHertz = 16_000
