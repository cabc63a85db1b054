#if canImport(Glibc)
import Glibc
#endif

/// Raw signed 16-bit little-endian mono 16 kHz PCM from a file descriptor:
/// standard input (`cimfw run --audio -`), a pipe, or the stdout of
/// `arecord`. A read interrupted by a signal returns what it has so the
/// firmware can stop; an odd byte at the end of the stream is an error.
public final class PCMStreamSource: AudioSource {
    public let name: String
    public let isLive: Bool
    private let fileDescriptor: Int32
    private let closesDescriptor: Bool
    private var bytes: [UInt8]
    private var carry: UInt8?
    private var ended = false

    public init(fileDescriptor: Int32, name: String, isLive: Bool = false, closesDescriptor: Bool = false, maxSamplesPerRead: Int = 4096) {
        self.fileDescriptor = fileDescriptor
        self.name = name
        self.isLive = isLive
        self.closesDescriptor = closesDescriptor
        bytes = [UInt8](repeating: 0, count: 2 * max(1, maxSamplesPerRead))
    }

    public func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        var filled = 0
        while filled < buffer.count && !ended {
            let want = min(bytes.count, 2 * (buffer.count - filled))
            let offset = carry == nil ? 0 : 1
            if let c = carry { bytes[0] = c }
            let got = bytes.withUnsafeMutableBytes { raw in Glibc.read(fileDescriptor, raw.baseAddress! + offset, want - offset) }
            if got < 0 {
                let e = errno
                if e == EINTR { return filled }  // a signal: let the firmware look at it
                throw AudioSourceError(source: name, message: "read failed: \(String(cString: strerror(e))) (errno \(e))")
            }
            if got == 0 {
                ended = true
                if carry != nil { throw AudioSourceError(source: name, message: "the stream ended in the middle of a sample (an odd number of bytes); expected 16-bit little-endian PCM") }
                break
            }
            let total = got + offset
            let samples = total / 2
            for k in 0..<samples {
                let value = Int16(bitPattern: UInt16(bytes[2 * k]) | UInt16(bytes[2 * k + 1]) << 8)
                buffer[filled + k] = Float(value) / 32768
            }
            carry = total % 2 == 1 ? bytes[total - 1] : nil
            filled += samples
            // A pipe delivers what it has; don't wait for more than one read's worth.
            if samples > 0 && isLive { break }
        }
        return filled
    }

    public func close() {
        if closesDescriptor { _ = Glibc.close(fileDescriptor) }
    }
}
