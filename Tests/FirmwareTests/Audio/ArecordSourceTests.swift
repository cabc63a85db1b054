#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import Firmware

/// arecord itself is not needed: the tests put a stand-in script named
/// `arecord` on the search path the source is given.
@Suite("arecord microphone source")
struct ArecordSourceTests {
    func fakeArecord(_ body: String, in dir: URL) throws {
        // Written through a close-on-exec descriptor: a test forking at the same moment
        // must not carry it into its child, or exec of the script fails with ETXTBSY.
        let path = dir.appendingPathComponent("arecord").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        #expect(fd >= 0)
        let bytes = Array("#!/bin/sh\n\(body)\n".utf8)
        #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
        #expect(Glibc.close(fd) == 0)
        #expect(chmod(path, 0o755) == 0)
    }

    @Test func withoutArecordOnThePathTheErrorSaysToInstallAlsaUtils() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = #expect(throws: AudioSourceError.self) { try ArecordSource(device: nil, searchPath: dir.path) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("arecord not found on PATH (\(dir.path))"), "\(text)")
        #expect(text.contains("install alsa-utils"))
    }

    @Test func itRecordsMono16kHzS16LEAndCloseReapsTheRecorder() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let samples = AudioFixtures.ramp(3000, from: -1500)
        try AudioFixtures.pcm(samples).write(to: dir.appendingPathComponent("speech.raw"))
        try fakeArecord("""
            echo "$@" > "\(dir.path)/args"
            cat "\(dir.path)/speech.raw"
            exec sleep 600
            """, in: dir)
        let source = try ArecordSource(device: "plughw:1,0", searchPath: dir.path)
        var read: [Float] = []
        var buffer = [Float](repeating: 0, count: 512)
        while read.count < samples.count {
            let n = try buffer.withUnsafeMutableBufferPointer { b throws(AudioSourceError) in try source.read(into: b) }
            try #require(n > 0)
            read += buffer[0..<n]
        }
        #expect(read == AudioFixtures.floats(samples))
        let pid = source.processID
        source.close()
        // Reaped: not even a zombie is left to signal.
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
        let args = try String(contentsOf: dir.appendingPathComponent("args"), encoding: .utf8)
        #expect(args == "-q -t raw -f S16_LE -r 16000 -c 1 -D plughw:1,0\n")
        #expect(try buffer.withUnsafeMutableBufferPointer { b throws(AudioSourceError) in try source.read(into: b) } == 0)
    }

    @Test func aRecorderThatExitsEarlyIsReportedWithItsStatusAndStderr() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try fakeArecord("""
            echo "arecord: main:831: audio open error: No such file or directory" >&2
            exit 1
            """, in: dir)
        let source = try ArecordSource(device: "hw:7", searchPath: dir.path)
        let pid = source.processID
        let error = #expect(throws: AudioSourceError.self) { _ = try AudioFixtures.drain(source) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("arecord (hw:7)"), "\(text)")
        #expect(text.contains("exit status 1"), "\(text)")
        #expect(text.contains("audio open error: No such file or directory"), "\(text)")
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
    }

    @Test func aRecorderEndingWhileTheFirmwareStopsEndsTheStreamWithoutAnError() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try AudioFixtures.pcm(AudioFixtures.ramp(100)).write(to: dir.appendingPathComponent("speech.raw"))
        try fakeArecord("cat \"\(dir.path)/speech.raw\"; exit 0", in: dir)
        let source = try ArecordSource(device: nil, searchPath: dir.path, stopsOnInterrupt: { true })
        let pid = source.processID
        #expect(try AudioFixtures.drain(source) == AudioFixtures.floats(AudioFixtures.ramp(100)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
    }
}
