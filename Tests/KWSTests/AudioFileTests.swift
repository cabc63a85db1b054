import Foundation
import KWS
import Testing

/// Audio files as users record them: any WAV encoding, FLAC, any rate,
/// mono or not; a bad or cut-short file is named, not a crash.
@Suite struct AudioFileTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-audio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A RIFF/WAVE file with a plain fmt chunk; `data` is the payload as stored.
    func wav(code: UInt16 = 1, channels: UInt16 = 1, rate: UInt32 = 16_000, bits: UInt16 = 16, data: [UInt8]) -> [UInt8] {
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func le32(_ v: UInt32) -> [UInt8] { le16(UInt16(v & 0xFFFF)) + le16(UInt16(v >> 16)) }
        let block = channels * bits / 8
        let fmt = le16(code) + le16(channels) + le32(rate) + le32(rate * UInt32(block)) + le16(block) + le16(bits)
        let body = Array("WAVE".utf8) + Array("fmt ".utf8) + le32(16) + fmt + Array("data".utf8) + le32(UInt32(data.count)) + data
        return Array("RIFF".utf8) + le32(UInt32(body.count)) + body
    }

    func write(_ bytes: [UInt8], _ name: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func sixteenBitPCMIsScaledToUnitRange() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let audio = try AudioFile.read(path: try write(wav(data: [0, 0, 0, 0x40]), "a.wav", in: dir))
        #expect(audio.clip.samples == [0, 0.5])
        #expect(audio.channels == 1 && audio.sourceSampleRateHertz == 16_000 && audio.warnings.isEmpty)
    }

    @Test func eightTwentyFourAndThirtyTwoBitPCMAndFloatReadAsTheSameSamples() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 0.5 and -0.25 in each encoding (8-bit WAV is unsigned, offset 128).
        let files = [
            wav(bits: 8, data: [192, 96]),
            wav(bits: 24, data: [0, 0, 0x40, 0, 0, 0xE0]),
            wav(bits: 32, data: [0, 0, 0, 0x40, 0, 0, 0, 0xE0]),
            wav(code: 3, bits: 32, data: [0, 0, 0, 0x3F, 0, 0, 0x80, 0xBE]),
        ]
        for (n, bytes) in files.enumerated() {
            let audio = try AudioFile.read(path: try write(bytes, "\(n).wav", in: dir))
            #expect(audio.clip.samples == [0.5, -0.25], "file \(n): \(audio.format)")
        }
    }

    @Test func stereoIsAveragedToMono() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Left 0.5, right 0.0: mono 0.25.
        let audio = try AudioFile.read(path: try write(wav(channels: 2, data: [0, 0x40, 0, 0]), "s.wav", in: dir))
        #expect(audio.channels == 2 && audio.clip.samples == [0.25])
    }

    @Test func anyRateIsResampledTo16kHzKeepingTheTone() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // One second of 440 Hz at 44.1 kHz, 16-bit.
        var data: [UInt8] = []
        for n in 0..<44_100 {
            let v = Int16((0.5 * sin(2 * Double.pi * 440 * Double(n) / 44_100)) * 32767)
            data += [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)]
        }
        let audio = try AudioFile.read(path: try write(wav(rate: 44_100, data: data), "t.wav", in: dir))
        #expect(audio.sourceSampleRateHertz == 44_100)
        #expect(abs(audio.clip.samples.count - 16_000) <= 1)
        // The resampled tone matches 440 Hz at 16 kHz away from the edges.
        var worst: Float = 0
        for n in 1000..<15_000 {
            let expected = Float(0.5 * sin(2 * Double.pi * 440 * Double(n) / 16_000))
            worst = max(worst, abs(audio.clip.samples[n] - expected))
        }
        #expect(worst < 0.01, "largest difference \(worst)")
    }

    /// `Fixtures/chirp-pcm16.flac` is `chirp-pcm16.wav` encoded losslessly by sox.
    @Test func flacIsReadAsTheSameSamplesAsItsWAV() throws {
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let flac = try AudioFile.read(path: fixtures.appendingPathComponent("chirp-pcm16.flac").path)
        let wav = try AudioFile.read(path: fixtures.appendingPathComponent("chirp-pcm16.wav").path)
        #expect(flac.format.contains("FLAC"), "\(flac.format)")
        #expect(flac.clip.samples.count == 16_000 && flac.clip.samples == wav.clip.samples)
    }

    @Test func aFileCutShortIsReadUpToItsEndWithAWarning() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = wav(data: [UInt8](repeating: 0x10, count: 2000))
        let audio = try AudioFile.read(path: try write(Array(whole[0..<(whole.count - 1000)]), "cut.wav", in: dir))
        #expect(audio.clip.samples.count == 500)
        #expect(audio.warnings.contains { $0.contains("cut.wav") }, "\(audio.warnings)")
    }

    @Test func garbageAMissingFileAndADirectoryNameTheFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let garbage = try write(Array("RIFX this is not audio at all, not at all".utf8), "bad.wav", in: dir)
        for path in [garbage, dir.appendingPathComponent("missing.wav").path, dir.path] {
            do {
                _ = try AudioFile.read(path: path)
                Issue.record("\(path) accepted")
            } catch {
                #expect(error.file == path && error.description.hasPrefix(path + ": "), "\(error)")
            }
        }
    }

    @Test func aShortClipIsCentredInTheWindowAndALongOneCut() {
        let short = AudioClip(sampleRateHertz: 16_000, samples: [1, 2])
        #expect(short.fitted(toSamples: 6).samples == [0, 0, 1, 2, 0, 0])
        let long = AudioClip(sampleRateHertz: 16_000, samples: [1, 2, 3, 4, 5])
        #expect(long.fitted(toSamples: 3).samples == [2, 3, 4])
    }
}
