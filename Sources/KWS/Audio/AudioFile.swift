import CSndFile
import CSoxr
import Foundation

/// A mono audio clip as the keyword spotter takes it: samples in [−1, 1].
public struct AudioClip: Sendable, Hashable {
    public var sampleRateHertz: Int
    public var samples: [Float]

    public init(sampleRateHertz: Int, samples: [Float]) {
        self.sampleRateHertz = sampleRateHertz
        self.samples = samples
    }
}

extension AudioClip {
    /// The clip centred in `count` samples: cut to its middle when longer,
    /// padded with zeros on both sides when shorter (as tools/kws/train.py's
    /// `fit` does for the clips it trains and validates on).
    public func fitted(toSamples count: Int) -> AudioClip {
        guard samples.count != count, count > 0 else { return self }
        if samples.count > count {
            let start = (samples.count - count) / 2
            return AudioClip(sampleRateHertz: sampleRateHertz, samples: Array(samples[start..<(start + count)]))
        }
        var out = [Float](repeating: 0, count: count)
        let offset = (count - samples.count) / 2
        out.replaceSubrange(offset..<(offset + samples.count), with: samples)
        return AudioClip(sampleRateHertz: sampleRateHertz, samples: out)
    }
}

/// Why an audio file cannot be used, naming the file, the field, the value
/// found and what was expected.
public struct AudioFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var field: String
    public var value: String
    public var expected: String

    public init(file: String, field: String, value: String, expected: String) {
        self.file = file
        self.field = field
        self.value = value
        self.expected = expected
    }

    public var description: String { "\(file): \(field) is \(value); expected \(expected)" }
}

/// An audio file as decoded: mono at the rate asked for, with what it was
/// and what reading it noticed.
public struct DecodedAudio: Sendable, Hashable {
    public var clip: AudioClip
    /// The file's own rate and channel count, before downmixing and resampling.
    public var sourceSampleRateHertz: Int
    public var channels: Int
    /// libsndfile's names of the container and encoding, e.g. "WAV (Microsoft)", "Signed 24 bit PCM".
    public var format: String
    /// Things a user should know: a file cut short of its header's length, channels averaged, a rate converted.
    public var warnings: [String]
}

/// Audio files through libsndfile (every WAV encoding — 8/16/24/32-bit PCM,
/// float, A-law, µ-law, WAVE_FORMAT_EXTENSIBLE — FLAC, Ogg, AIFF, …),
/// downmixed to mono by averaging the channels and resampled with libsoxr.
public enum AudioFile {
    /// The file names taken as audio where a directory is searched.
    public static let fileSuffixes = [".wav", ".flac", ".ogg", ".oga", ".aiff", ".aif"]

    public static func isAudioFileName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return fileSuffixes.contains { lower.hasSuffix($0) }
    }

    /// The longest file read whole: one hour of stereo at 48 kHz.
    public static let maximumSamples = 3600 * 48_000 * 2

    public static func read(path: String, sampleRateHertz: Int = 16_000) throws(AudioFileError) -> DecodedAudio {
        func fail(_ field: String, _ value: String, _ expected: String) -> AudioFileError {
            AudioFileError(file: path, field: field, value: value, expected: expected)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw fail("file", isDirectory.boolValue ? "a directory" : "missing", "an audio file (WAV, FLAC, Ogg, AIFF)")
        }
        var info = SF_INFO()
        guard let file = sf_open(path, Int32(SFM_READ), &info) else {
            throw fail("file", "unreadable (libsndfile: \(String(cString: sf_strerror(nil))))", "an audio file libsndfile reads (WAV, FLAC, Ogg, AIFF)")
        }
        defer { sf_close(file) }
        let channels = Int(info.channels), rate = Int(info.samplerate), frames = Int(info.frames)
        guard channels >= 1 else { throw fail("channels", "\(channels)", "at least 1") }
        guard rate >= 1000, rate <= 768_000 else { throw fail("sample rate", "\(rate) Hz", "1000...768000 Hz") }
        guard frames >= 0, frames <= maximumSamples / channels else {
            throw fail("length", "\(frames) frames of \(channels) channels", "at most \(maximumSamples) samples (one hour of 48 kHz stereo)")
        }
        var interleaved = [Float](repeating: 0, count: frames * channels)
        let read = interleaved.withUnsafeMutableBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            return Int(sf_readf_float(file, base, sf_count_t(frames)))
        }
        var warnings: [String] = []
        if read < frames {
            warnings.append("\(path): read \(read) of the \(frames) frames the header promises (the file is cut short)")
        }
        if let truncation = truncationNote(file) {
            warnings.append("\(path): \(truncation); read the \(read) frames present")
        }
        if channels != 1 || rate != sampleRateHertz {
            warnings.append("\(path): \(channels) channel(s) at \(rate) Hz, read as mono at \(sampleRateHertz) Hz")
        }
        var mono = [Float](repeating: 0, count: read)
        let scale = 1 / Float(channels)
        for i in 0..<read {
            var sum: Float = 0
            for c in 0..<channels { sum += interleaved[i * channels + c] }
            let x = sum * scale
            guard x.isFinite else { throw fail("sample \(i)", "\(x)", "a finite number") }
            mono[i] = x
        }
        let samples = rate == sampleRateHertz ? mono : try resample(mono, from: rate, to: sampleRateHertz, file: path)
        return DecodedAudio(clip: AudioClip(sampleRateHertz: sampleRateHertz, samples: samples), sourceSampleRateHertz: rate,
                            channels: channels, format: formatName(info.format), warnings: warnings)
    }

    /// libsoxr's high-quality resampler (SOXR_HQ: 20-bit precision, linear phase).
    public static func resample(_ samples: [Float], from input: Int, to output: Int, file: String = "audio") throws(AudioFileError) -> [Float] {
        guard input > 0, output > 0 else {
            throw AudioFileError(file: file, field: "sample rate", value: "\(input) → \(output) Hz", expected: "positive rates")
        }
        if input == output || samples.isEmpty { return samples }
        let capacity = Int((Double(samples.count) * Double(output) / Double(input)).rounded(.up)) + 16
        var out = [Float](repeating: 0, count: capacity)
        var produced = 0
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var quality = soxr_quality_spec(UInt(SOXR_HQ), 0)
        let error: soxr_error_t? = samples.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { destination in
                soxr_oneshot(Double(input), Double(output), 1, source.baseAddress, samples.count, nil,
                             destination.baseAddress, capacity, &produced, &io, &quality, nil)
            }
        }
        if let error {
            throw AudioFileError(file: file, field: "resampling \(input) → \(output) Hz", value: "refused (libsoxr: \(String(cString: error)))",
                                 expected: "rates libsoxr converts")
        }
        out.removeSubrange(min(produced, out.count)...)
        return out
    }

    /// libsndfile's log says so when a header promises more data than the file holds.
    private static func truncationNote(_ file: OpaquePointer) -> String? {
        var log = [CChar](repeating: 0, count: 4096)
        let length = log.withUnsafeMutableBytes { sf_command(file, Int32(SFC_GET_LOG_INFO), $0.baseAddress, Int32($0.count)) }
        guard length > 0 else { return nil }
        let text = String(decoding: log.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for line in text.split(separator: "\n") where line.contains("should be") || line.lowercased().contains("truncat") {
            return "libsndfile: \(line.trimmingCharacters(in: .whitespaces))"
        }
        return nil
    }

    private static func formatName(_ format: Int32) -> String {
        func name(_ query: Int32, _ code: Int32) -> String? {
            var info = SF_FORMAT_INFO()
            info.format = code
            guard sf_command(nil, query, &info, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0, let n = info.name else { return nil }
            return String(cString: n)
        }
        let major = name(Int32(SFC_GET_FORMAT_INFO), format & Int32(SF_FORMAT_TYPEMASK))
        let subtype = name(Int32(SFC_GET_FORMAT_INFO), format & Int32(SF_FORMAT_SUBMASK))
        return [major, subtype].compactMap { $0 }.joined(separator: ", ")
    }
}
