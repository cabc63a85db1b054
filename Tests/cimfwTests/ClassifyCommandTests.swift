import Foundation
import Testing

/// `cimfw classify` as a user runs it on a folder of recordings named after
/// their classes, in more than one format.
@Suite struct ClassifyCommandTests {
    let cli = CharacterizeCommandTests()
    static let root = CharacterizeCommandTests.repositoryRoot

    /// 16-bit mono PCM WAV bytes.
    func wav(_ samples: [Int16], rate: UInt32 = 16_000) -> Data {
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func le32(_ v: UInt32) -> [UInt8] { le16(UInt16(v & 0xFFFF)) + le16(UInt16(v >> 16)) }
        let data = samples.flatMap { le16(UInt16(bitPattern: $0)) }
        let fmt = le16(1) + le16(1) + le32(rate) + le32(rate * 2) + le16(2) + le16(16)
        let body = Array("WAVE".utf8) + Array("fmt ".utf8) + le32(16) + fmt + Array("data".utf8) + le32(UInt32(data.count)) + data
        return Data(Array("RIFF".utf8) + le32(UInt32(body.count)) + body)
    }

    func labelledFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-classify-\(UUID().uuidString)")
        let fm = FileManager.default
        for folder in ["yes", "bed", "go", "_background_noise_"] {
            try fm.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let yes = Self.root.appendingPathComponent("firmware/kws-gru/test/test-clean/yes")
        for name in try fm.contentsOfDirectory(atPath: yes.path).filter({ $0.hasSuffix(".wav") }).sorted().prefix(2) {
            try fm.copyItem(at: yes.appendingPathComponent(name), to: dir.appendingPathComponent("yes/\(name)"))
        }
        try fm.copyItem(at: Self.root.appendingPathComponent("Tests/KWSTests/Fixtures/chirp-pcm16.flac"),
                        to: dir.appendingPathComponent("go/chirp.flac"))
        // Half a second at 8 kHz: resampled and padded, with notes.
        try wav((0..<4000).map { Int16(8000 * sin(Double($0) * 0.2)) }, rate: 8000).write(to: dir.appendingPathComponent("bed/short.wav"))
        try wav([Int16](repeating: 100, count: 16_000)).write(to: dir.appendingPathComponent("_background_noise_/hum.wav"))
        return dir
    }

    @Test func aLabelledFolderGivesTopThreePerClipAndASummaryPerClass() throws {
        let dir = try labelledFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try cli.run(["classify", dir.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let objects = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.count == 5, "four clips and the summary; _background_noise_ is skipped: \(result.stdout)")
        let clips = objects.dropLast()
        #expect(clips.compactMap { $0["label"] as? String }.sorted() == ["go", "unknown", "yes", "yes"])
        for clip in clips {
            #expect((clip["float"] as? [[String: Any]])?.count == 3 && (clip["board"] as? [[String: Any]])?.count == 3)
        }
        let short = try #require(clips.first { ($0["path"] as? String)?.hasSuffix("short.wav") == true })
        let notes = (short["notes"] as? [String]) ?? []
        #expect(notes.contains { $0.contains("8000 Hz") } && notes.contains { $0.contains("padded") }, "\(notes)")
        let summary = try #require(objects.last)
        #expect(summary["labelled"] as? Int == 4 && summary["clips"] as? Int == 4)
        #expect(((summary["perClass"] as? [[String: Any]]) ?? []).compactMap { $0["label"] as? String } == ["yes", "go", "unknown"])
    }

    @Test func aFolderWithoutAudioIsBadInput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-classify-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try cli.run(["classify", dir.path])
        #expect(result.status == 2 && result.stderr.contains(dir.path) && result.stdout.isEmpty, "\(result.stderr)")
    }
}
