import CIMHAL
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

/// Why a WAV file cannot be used, naming the file, the field, the value
/// found and what was expected.
public struct WAVError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var field: String
    public var value: String
    public var expected: String

    public var description: String { "\(file): \(field) is \(value); expected \(expected)" }
}

/// RIFF/WAVE reading: 16-bit PCM (format 1) and 32-bit IEEE float (format 3),
/// plain or WAVE_FORMAT_EXTENSIBLE, mono, at the rate the caller requires.
public enum WAVFile {
    public static func read(path: String, expectedSampleRateHertz: Int = 16_000) throws(WAVError) -> AudioClip {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw WAVError(file: path, field: "file", value: "unreadable (\(error.localizedDescription))", expected: "a readable WAV file")
        }
        return try decode([UInt8](data), file: path, expectedSampleRateHertz: expectedSampleRateHertz)
    }

    public static func decode(_ bytes: [UInt8], file: String, expectedSampleRateHertz: Int = 16_000) throws(WAVError) -> AudioClip {
        func fail(_ field: String, _ value: String, _ expected: String) -> WAVError {
            WAVError(file: file, field: field, value: value, expected: expected)
        }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func tag(_ at: Int) -> String { String(decoding: bytes[at..<(at + 4)], as: UTF8.self) }

        guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else {
            throw fail("header", bytes.count >= 12 ? "\"\(tag(0))…\(tag(8))\"" : "\(bytes.count) bytes", "RIFF … WAVE")
        }
        var format: (code: Int, channels: Int, rate: Int, bits: Int)?
        var samples: ArraySlice<UInt8>?
        var at = 12
        while at + 8 <= bytes.count {
            let id = tag(at), size = u32(at + 4), body = at + 8
            guard body + size <= bytes.count else {
                throw fail("chunk \"\(id)\" size", "\(size) bytes", "at most the \(bytes.count - body) bytes left in the file")
            }
            if id == "fmt " {
                guard size >= 16 else { throw fail("fmt chunk size", "\(size)", "at least 16 bytes") }
                var code = u16(body)
                if code == 0xFFFE, size >= 40 { code = u16(body + 24) }  // EXTENSIBLE: the sub-format GUID starts with the code
                format = (code, u16(body + 2), u32(body + 4), u16(body + 14))
            } else if id == "data" {
                samples = bytes[body..<(body + size)]
            }
            at = body + size + (size & 1)  // chunks are word aligned
        }
        guard let f = format else { throw fail("fmt chunk", "missing", "a fmt chunk before the data") }
        guard let payload = samples else { throw fail("data chunk", "missing", "a data chunk") }
        guard f.channels == 1 else { throw fail("channels", "\(f.channels)", "1 (mono)") }
        guard f.rate == expectedSampleRateHertz else { throw fail("sample rate", "\(f.rate) Hz", "\(expectedSampleRateHertz) Hz") }
        var out: [Float] = []
        switch (f.code, f.bits) {
        case (1, 16):
            out.reserveCapacity(payload.count / 2)
            var i = payload.startIndex
            while i + 1 < payload.endIndex {
                let raw = Int16(bitPattern: UInt16(payload[i]) | UInt16(payload[i + 1]) << 8)
                out.append(Float(raw) / 32768)
                i += 2
            }
        case (3, 32):
            out.reserveCapacity(payload.count / 4)
            var i = payload.startIndex
            while i + 3 < payload.endIndex {
                let bits = UInt32(payload[i]) | UInt32(payload[i + 1]) << 8 | UInt32(payload[i + 2]) << 16 | UInt32(payload[i + 3]) << 24
                let x = Float(bitPattern: bits)
                guard x.isFinite else { throw fail("sample \(out.count)", "\(x)", "a finite number") }
                out.append(x)
                i += 4
            }
        default:
            throw fail("format", "code \(f.code) with \(f.bits) bits", "16-bit PCM (code 1) or 32-bit float (code 3)")
        }
        return AudioClip(sampleRateHertz: f.rate, samples: out)
    }
}
