import KWS

/// One audio file — any WAV encoding, FLAC, Ogg or AIFF, through libsndfile —
/// downmixed to mono and resampled to 16 kHz with libsoxr when it is opened,
/// so that a bad file fails before the firmware starts rather than mid-run.
/// A file shorter than the model's one-second window is padded with silence
/// to one window, with a warning, so it still gives an inference. Reads copy
/// from the decoded samples; nothing is allocated.
final class AudioFileSource: AudioSource {
    let name: String
    var sampleRateHertz: Int { audioSampleRateHertz }
    /// What opening noticed: resampling, downmixing, padding, a file cut short.
    let warnings: [String]
    /// Shared, never mutated: `restarted()` replays it without decoding again.
    private let samples: [Float]
    private var position = 0

    init(path: String, minimumSamples: Int = 0) throws(AudioSourceError) {
        let decoded: DecodedAudio
        do {
            decoded = try AudioFile.read(path: path, sampleRateHertz: audioSampleRateHertz)
        } catch {
            throw AudioSourceError(source: error.file, field: error.field, value: error.value, expected: error.expected)
        }
        var notes = decoded.warnings
        var samples = decoded.clip.samples
        if samples.count < minimumSamples {
            notes.append("\(path): \(samples.count) samples, shorter than the \(minimumSamples)-sample window; padded with silence")
            samples += [Float](repeating: 0, count: minimumSamples - samples.count)
        }
        self.samples = samples
        warnings = notes
        name = path
    }

    private init(name: String, samples: [Float], warnings: [String]) {
        self.name = name
        self.samples = samples
        self.warnings = warnings
    }

    /// Samples in the file.
    var count: Int { samples.count }

    /// The same audio from its start (a loop's next pass), sharing the decoded samples.
    func restarted() -> AudioFileSource { AudioFileSource(name: name, samples: samples, warnings: warnings) }

    func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        let n = min(buffer.count, samples.count - position)
        guard n > 0, let destination = buffer.baseAddress else { return 0 }
        samples.withUnsafeBufferPointer { source in
            if let from = source.baseAddress { destination.update(from: from + position, count: n) }
        }
        position += n
        return n
    }

    func close() { position = samples.count }
}
