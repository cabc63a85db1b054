#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import Firmware

@Suite("Raw PCM source")
struct RawPCMSourceTests {
    @Test func littleEndianSamplesFromAFileDescriptorAreDecoded() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let samples: [Int16] = [1, -1, 256, -256, 32767, -32768] + AudioFixtures.ramp(5000)
        let path = try AudioFixtures.write(AudioFixtures.pcm(samples), "a.raw", in: dir)
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { _ = Glibc.close(fd) }
        let source = RawPCMSource(fileDescriptor: fd, name: "a.raw", maxSamplesPerRead: 1024)
        #expect(try AudioFixtures.drain(source, chunk: 777) == AudioFixtures.floats(samples))
    }

    /// A pipe written three bytes at a time (a sample and a half): each read
    /// returns what has arrived, and a sample split across writes is joined.
    @Test func samplesSplitAcrossWritesToAPipeAreJoined() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        let samples = AudioFixtures.ramp(50, from: -25)
        let bytes = [UInt8](AudioFixtures.pcm(samples))
        let source = RawPCMSource(fileDescriptor: fds[0], name: "pipe", closesDescriptor: true)
        defer { source.close() }
        var read: [Float] = []
        var buffer = [Float](repeating: 0, count: 64)
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let chunk = Array(bytes[start..<min(start + 3, bytes.count)])
            #expect(write(fds[1], chunk, chunk.count) == chunk.count)
            // Every write completes at least one sample; the read returns without waiting for more.
            let n = try buffer.withUnsafeMutableBufferPointer { b throws(AudioSourceError) in try source.read(into: b) }
            #expect(n >= 1 && n <= 2)
            read += buffer[0..<n]
        }
        _ = Glibc.close(fds[1])
        #expect(try AudioFixtures.drain(source).isEmpty)
        #expect(read == AudioFixtures.floats(samples))
    }

    @Test func anOddTrailingByteIsAnErrorThatSaysSo() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        var bytes = [UInt8](AudioFixtures.pcm([1, 2, 3]))
        bytes.append(0x7f)
        #expect(write(fds[1], bytes, bytes.count) == bytes.count)
        _ = Glibc.close(fds[1])
        let source = RawPCMSource(fileDescriptor: fds[0], name: "stdin", closesDescriptor: true)
        defer { source.close() }
        var buffer = [Float](repeating: 0, count: 16)
        let first = try buffer.withUnsafeMutableBufferPointer { b throws(AudioSourceError) in try source.read(into: b) }
        #expect(first == 3)
        let error = #expect(throws: AudioSourceError.self) {
            _ = try buffer.withUnsafeMutableBufferPointer { b throws(AudioSourceError) in try source.read(into: b) }
        }
        #expect(error?.source == "stdin")
        #expect(error?.message.contains("7 bytes, an odd number") ?? false, "\(String(describing: error))")
        #expect(error?.message.contains("16-bit little-endian") ?? false)
    }

    @Test func anUnreadableDescriptorIsAnErrorNamingTheStream() throws {
        let source = RawPCMSource(fileDescriptor: -1, name: "nothing")
        let error = #expect(throws: AudioSourceError.self) { _ = try AudioFixtures.drain(source) }
        #expect(error?.source == "nothing" && (error?.message.contains("errno \(EBADF)") ?? false))
    }
}
