/// Mono 16 kHz audio as floats in [−1, 1], from wherever it comes.
public protocol AudioSource: AnyObject {
    /// What to call it in messages: a path, "stdin", "arecord (default)".
    var name: String { get }
    /// True for a live input that paces itself (a microphone); a file is read
    /// as fast as the firmware's clock asks for it.
    var isLive: Bool { get }
    /// Fills up to `buffer.count` samples; returns how many. 0 means the
    /// stream has ended.
    func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int
    func close()
}

public struct AudioSourceError: Error, Sendable, Hashable, CustomStringConvertible {
    public var source: String
    public var message: String
    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }
    public var description: String { "\(source): \(message)" }
}

public let audioSampleRateHertz = 16_000
