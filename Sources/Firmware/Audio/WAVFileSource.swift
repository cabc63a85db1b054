import KWS

/// One WAV file (16 kHz mono, 16-bit PCM or 32-bit float), decoded when it
/// is opened so that a bad file fails before the firmware starts rather
/// than mid-run. Reads copy from the decoded samples; nothing is allocated.
public final class WAVFileSource: AudioSource {
    public let name: String
    public var sampleRateHertz: Int { audioSampleRateHertz }
    /// Shared, never mutated: `restarted()` replays it without decoding again.
    private let samples: [Float]
    private var position = 0

    public init(path: String) throws(AudioSourceError) {
        do {
            samples = try WAVFile.read(path: path, expectedSampleRateHertz: audioSampleRateHertz).samples
        } catch {
            throw AudioSourceError(source: error.file, field: error.field, value: error.value, expected: error.expected)
        }
        name = path
    }

    private init(name: String, samples: [Float]) {
        self.name = name
        self.samples = samples
    }

    /// Samples in the file.
    public var count: Int { samples.count }

    /// The same audio from its start (a loop's next pass), sharing the decoded samples.
    public func restarted() -> WAVFileSource { WAVFileSource(name: name, samples: samples) }

    public func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        let n = min(buffer.count, samples.count - position)
        guard n > 0, let destination = buffer.baseAddress else { return 0 }
        samples.withUnsafeBufferPointer { source in
            if let from = source.baseAddress { destination.update(from: from + position, count: n) }
        }
        position += n
        return n
    }

    public func close() { position = samples.count }
}
