import Foundation
@testable import Firmware

/// WAV and raw PCM files written for the audio tests, in a temporary
/// directory the test removes.
enum AudioFixtures {
    /// A RIFF/WAVE file of 16-bit PCM; `samples` interleaved when stereo.
    static func wav(_ samples: [Int16], rateHertz: Int = 16_000, channels: Int = 1) -> Data {
        var d = Data()
        func u16(_ v: Int) { d.append(UInt8(v & 0xff)); d.append(UInt8((v >> 8) & 0xff)) }
        func u32(_ v: Int) { u16(v & 0xffff); u16((v >> 16) & 0xffff) }
        let dataBytes = samples.count * 2
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + dataBytes); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(channels); u32(rateHertz)
        u32(rateHertz * channels * 2); u16(channels * 2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(dataBytes)
        for s in samples { u16(Int(UInt16(bitPattern: s))) }
        return d
    }

    /// Little-endian 16-bit PCM bytes.
    static func pcm(_ samples: [Int16]) -> Data {
        var d = Data()
        for s in samples { let u = UInt16(bitPattern: s); d.append(UInt8(u & 0xff)); d.append(UInt8(u >> 8)) }
        return d
    }

    static func write(_ data: Data, _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    /// Reads a source to its end in chunks of `chunk` samples.
    static func drain(_ source: any AudioSource, chunk: Int = 1000) throws(AudioSourceError) -> [Float] {
        var out: [Float] = []
        var buffer = [Float](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withUnsafeMutableBufferPointer { b throws(AudioSourceError) in try source.read(into: b) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    static func ramp(_ count: Int, from start: Int = 0) -> [Int16] { (0..<count).map { Int16(truncatingIfNeeded: start + $0) } }
    static func floats(_ samples: [Int16]) -> [Float] { samples.map { Float($0) / 32768 } }
}
