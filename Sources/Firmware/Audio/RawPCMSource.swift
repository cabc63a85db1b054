#if canImport(Glibc)
import Glibc
#endif

/// Raw signed 16-bit little-endian mono 16 kHz PCM from a file descriptor:
/// standard input (`cimfw run --audio -`), a pipe, a file, or the stdout of
/// `arecord`. Each `read` makes read(2) calls until at least one whole
/// sample has arrived and returns what it has, so a live pipe is never
/// waited on for more than it delivers. The byte buffer is sized at
/// creation; reads allocate nothing.
public final class RawPCMSource: AudioSource {
    public let name: String
    public var sampleRateHertz: Int { audioSampleRateHertz }
    public let fileDescriptor: Int32
    private let closesDescriptor: Bool
    private let stopsOnInterrupt: () -> Bool
    private let bytes: UnsafeMutableRawBufferPointer
    /// The first byte of a sample whose second byte has not arrived yet.
    private var carry: UInt8?
    private var bytesRead = 0
    private var ended = false
    private var descriptorClosed = false

    /// `closesDescriptor`: `close()` closes the descriptor (a pipe this
    /// source owns), not for stdin. A read interrupted by a signal (EINTR)
    /// is retried unless `stopsOnInterrupt` says the firmware is stopping,
    /// in which case the stream ends there.
    public init(fileDescriptor: Int32, name: String, closesDescriptor: Bool = false,
                maxSamplesPerRead: Int = 4096, stopsOnInterrupt: @escaping () -> Bool = { false }) {
        self.fileDescriptor = fileDescriptor
        self.name = name
        self.closesDescriptor = closesDescriptor
        self.stopsOnInterrupt = stopsOnInterrupt
        bytes = .allocate(byteCount: 2 * max(1, maxSamplesPerRead), alignment: 2)
    }

    deinit {
        close()
        bytes.deallocate()
    }

    public func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        guard !ended, !buffer.isEmpty, let base = bytes.baseAddress else { return 0 }
        while true {
            let offset = carry == nil ? 0 : 1
            if let carry { bytes[0] = carry }
            let want = min(bytes.count, 2 * buffer.count) - offset
            let got = Glibc.read(fileDescriptor, base + offset, want)
            if got < 0 {
                let code = errno
                if code == EINTR {
                    if stopsOnInterrupt() { ended = true; return 0 }
                    continue
                }
                throw AudioSourceError(source: name, message: "read(2) failed after \(bytesRead) bytes: \(String(cString: strerror(code))) (errno \(code))")
            }
            if got == 0 {
                ended = true
                if carry != nil {
                    throw AudioSourceError(source: name, field: "stream length", value: "\(bytesRead) bytes, an odd number (the last sample is cut in half)",
                                           expected: "signed 16-bit little-endian PCM, two bytes a sample")
                }
                return 0
            }
            bytesRead += got
            let total = got + offset
            let samples = total / 2
            for k in 0..<samples {
                let value = Int16(bitPattern: UInt16(bytes[2 * k]) | UInt16(bytes[2 * k + 1]) << 8)
                buffer[k] = Float(value) / 32768
            }
            carry = total % 2 == 1 ? bytes[total - 1] : nil
            if samples > 0 { return samples }
        }
    }

    public func close() {
        ended = true
        guard closesDescriptor, !descriptorClosed else { return }
        descriptorClosed = true
        _ = Glibc.close(fileDescriptor)
    }
}
