import Foundation
import Testing
@testable import Firmware

@Suite("WAV file and directory sources")
struct FileSourceTests {
    @Test func aWAVFileIsReadAsFloatsInItsOrder() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let samples: [Int16] = [0, 16384, -16384, 32767, -32768] + AudioFixtures.ramp(2500)
        let path = try AudioFixtures.write(AudioFixtures.wav(samples), "a.wav", in: dir)
        let source = try AudioFileSource(path: path)
        #expect(source.name == path)
        #expect(source.sampleRateHertz == 16_000)
        let read = try AudioFixtures.drain(source, chunk: 333)
        #expect(read == AudioFixtures.floats(samples))
        #expect(read[1] == 0.5 && read[2] == -0.5 && read[4] == -1)
    }

    @Test func aFileAtAnotherRateOrInStereoIsResampledAndDownmixedWithANote() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let slow = try AudioFixtures.write(AudioFixtures.wav(AudioFixtures.ramp(800), rateHertz: 8000), "slow.wav", in: dir)
        let resampled = try AudioFileSource(path: slow)
        #expect(abs(resampled.count - 1600) <= 1, "0.1 s at 8 kHz is 0.1 s at 16 kHz")
        #expect(resampled.warnings.contains { $0.contains("slow.wav") && $0.contains("8000 Hz") }, "\(resampled.warnings)")
        let stereo = try AudioFixtures.write(AudioFixtures.wav(AudioFixtures.ramp(200), channels: 2), "stereo.wav", in: dir)
        let mono = try AudioFileSource(path: stereo)
        #expect(mono.count == 100, "200 interleaved samples are 100 stereo frames")
        #expect(mono.warnings.contains { $0.contains("2 channel(s)") })
    }

    @Test func aFileShorterThanTheWindowIsPaddedWhenAskedWithANote() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try AudioFixtures.write(AudioFixtures.wav(AudioFixtures.ramp(100)), "short.wav", in: dir)
        let padded = try AudioFileSource(path: path, minimumSamples: 16_000)
        let read = try AudioFixtures.drain(padded, chunk: 4000)
        #expect(read.count == 16_000 && Array(read[0..<100]) == AudioFixtures.floats(AudioFixtures.ramp(100)))
        #expect(read[100...].allSatisfy { $0 == 0 })
        #expect(padded.warnings.contains { $0.contains("padded with silence") })
        #expect(try AudioFileSource(path: path).count == 100, "no padding unless asked")
    }

    @Test func aDirectoryPlaysItsWAVFilesBackToBackInNameOrder() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Written out of order; a non-WAV file is ignored.
        _ = try AudioFixtures.write(AudioFixtures.wav(AudioFixtures.ramp(300, from: 2000)), "c.wav", in: dir)
        _ = try AudioFixtures.write(AudioFixtures.wav(AudioFixtures.ramp(500, from: 0)), "a.wav", in: dir)
        _ = try AudioFixtures.write(AudioFixtures.wav(AudioFixtures.ramp(700, from: 1000)), "b.WAV", in: dir)
        _ = try AudioFixtures.write(Data("notes".utf8), "notes.txt", in: dir)
        let source = try AudioDirectorySource(path: dir.path)
        #expect(source.paths.map { URL(fileURLWithPath: $0).lastPathComponent } == ["a.wav", "b.WAV", "c.wav"])
        let expected = AudioFixtures.ramp(500, from: 0) + AudioFixtures.ramp(700, from: 1000) + AudioFixtures.ramp(300, from: 2000)
        #expect(try AudioFixtures.drain(source, chunk: 256) == AudioFixtures.floats(expected))
    }

    @Test func aMissingOrEmptyDirectoryIsRefused() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nowhere").path
        let e1 = #expect(throws: AudioSourceError.self) { try AudioDirectorySource(path: missing) }
        #expect(e1?.source == missing && (e1?.message.contains("missing") ?? false))
        _ = try AudioFixtures.write(Data("x".utf8), "readme.txt", in: dir)
        let e2 = #expect(throws: AudioSourceError.self) { try AudioDirectorySource(path: dir.path) }
        #expect(e2?.source == dir.path && (e2?.message.contains("audio files is none") ?? false), "\(String(describing: e2))")
    }

    @Test func aBadFileInADirectoryIsNamedWhenTheSourceOpens() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try AudioFixtures.write(AudioFixtures.wav(AudioFixtures.ramp(100)), "a.wav", in: dir)
        let bad = try AudioFixtures.write(Data("RIFF, but not audio".utf8), "b.wav", in: dir)
        let error = #expect(throws: AudioSourceError.self) { try AudioDirectorySource(path: dir.path) }
        #expect(error?.source == bad && (error?.message.contains("unreadable") ?? false), "\(String(describing: error))")
    }

    @Test func aLoopReplaysTheFileAndALimitCutsItAtADuration() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let samples = AudioFixtures.ramp(1000)
        let path = try AudioFixtures.write(AudioFixtures.wav(samples), "a.wav", in: dir)
        let file = try AudioFileSource(path: path)
        let looped = try LoopingSource { file.restarted() }
        // 0.15 s at 16 kHz: two whole passes and 400 samples of a third.
        let limited = LimitedSource(looped, maxSeconds: 0.15)
        let read = try AudioFixtures.drain(limited, chunk: 300)
        #expect(read == AudioFixtures.floats(samples + samples + Array(samples[0..<400])))
        #expect(looped.passes == 3)
    }

    @Test func aLoopStopsAfterItsPassesAndAnEmptyRecordingDoesNotSpin() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try AudioFileSource(path: try AudioFixtures.write(AudioFixtures.wav(AudioFixtures.ramp(10)), "a.wav", in: dir))
        let twice = try LoopingSource(maxPasses: 2) { file.restarted() }
        #expect(try AudioFixtures.drain(twice).count == 20)
        let empty = try AudioFileSource(path: try AudioFixtures.write(AudioFixtures.wav([]), "empty.wav", in: dir))
        let forever = try LoopingSource { empty.restarted() }
        #expect(try AudioFixtures.drain(forever).isEmpty)
    }
}
