import Foundation
import Testing
@testable import Firmware

@Suite("--audio values")
struct AudioSourceSpecTests {
    @Test func eachFormParsesToItsSource() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try AudioSourceSpec("-") == .standardInput)
        #expect(try AudioSourceSpec("mic") == .microphone(device: nil))
        #expect(try AudioSourceSpec("mic:plughw:1,0") == .microphone(device: "plughw:1,0"))
        #expect(try AudioSourceSpec("clips/yes.wav") == .files(path: "clips/yes.wav"))
        #expect(try AudioSourceSpec("LOUD.WAV") == .files(path: "LOUD.WAV"))
        #expect(try AudioSourceSpec(dir.path) == .files(path: dir.path))
    }

    @Test(arguments: ["", "mic:", "song.mp3", "/nonexistent/directory"])
    func otherValuesAreRefusedNamingTheValueAndWhatIsExpected(_ value: String) {
        let error = #expect(throws: AudioSourceError.self) { try AudioSourceSpec(value) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.hasPrefix("--audio: value is"), "\(text)")
        if !value.isEmpty { #expect(text.contains("\"\(value)\""), "\(text)") }
        #expect(text.contains("expected"))
    }

    @Test func aWAVPathOpensAsAFileThatLoopsWhenAsked() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try AudioFixtures.write(AudioFixtures.wav(AudioFixtures.ramp(100)), "a.wav", in: dir)
        let once = try AudioSourceSpec(path).open(loop: false)
        // Shorter than the model's one-second window: padded to one window, and said so.
        #expect(try AudioFixtures.drain(once).count == 16_000)
        #expect(once.warnings.contains { $0.contains("padded with silence") }, "\(once.warnings)")
        let looped = LimitedSource(try AudioSourceSpec(path).open(loop: true), maxSeconds: 0.05)
        #expect(try AudioFixtures.drain(looped).count == 800)
    }

    @Test func flacOggAndAIFFPathsAreAudioFiles() throws {
        for name in ["a.flac", "b.OGG", "c.aiff"] {
            #expect(throws: Never.self) { _ = try AudioSourceSpec(name) }
        }
    }

    @Test func aMissingWAVFileFailsWhenOpened() throws {
        let spec = try AudioSourceSpec("/nonexistent/a.wav")
        let error = #expect(throws: AudioSourceError.self) { _ = try spec.open(loop: false) }
        #expect(error?.source == "/nonexistent/a.wav")
    }
}
