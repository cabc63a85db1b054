import CIMHAL

/// The board side's reading of boards/cim-eval-protocol.md, version 1.4.
///
/// The driver in CIMDrivers keeps its own copy of these numbers on purpose:
/// emulator and driver are two independent readings of one document, so a
/// mismatch between either and the document fails the end-to-end tests.
enum EvalRegister: UInt8 {
    case identity = 0x00
    case status = 0x01
    case errorCode = 0x02
    case errorText = 0x03
    case geometry = 0x04
    case temperature = 0x05
    case tileSelect = 0x06
    case batchCount = 0x07
    case command = 0x08
    case config = 0x09
    case capabilities = 0x0A
    case weightShape = 0x10
    case weightData = 0x11
    case weightCursor = 0x12
    case programTolerance = 0x13
    case programMaxPulses = 0x14
    case reportCursor = 0x18
    case reportData = 0x19
    case inputData = 0x20
    case outputCursor = 0x28
    case outputData = 0x29
    case calMethod = 0x30
    case calCount = 0x31
    case calCursor = 0x38
    case calData = 0x39
    case programLength = 0x40
    case programData = 0x41
    case runFrames = 0x42
    case featureData = 0x43
    case resultCursor = 0x48
    case resultData = 0x49
}

enum EvalOpcode: UInt8 {
    case program = 0x01
    case multiply = 0x02
    case calibrate = 0x03
    case softReset = 0x04
    case loadProgram = 0x05
    case run = 0x06
}

/// The codes latched in ERROR_CODE.
public enum EvalBoardError: UInt8, Sendable {
    case none = 0x00
    case unknownRegister = 0x01
    case readOnly = 0x02
    case badLength = 0x03
    case outOfRange = 0x04
    case busy = 0x05
    case unknownCommand = 0x06
    case invalidArgument = 0x07
    case unsupported = 0x08
    case `internal` = 0x09
}

enum EvalWire {
    static let magic: UInt32 = 0x4349_4D45  // "CIME"
    static let versionMajor: UInt8 = 1
    static let versionMinor: UInt8 = 4
    /// CONFIG bit 0: SMBus PEC on every transfer, both ways (1.1).
    static let configPEC: UInt8 = 1
    /// CONFIG bit 1: long transfers (1.2): data registers move up to `longBytes` per transaction.
    static let configLong: UInt8 = 2
    static let longBytes = 4096
    /// SMBus block limit: the most bytes one transaction moves (see the document).
    static let blockBytes = 32
    static let weightsPerWrite = 7
    static let codesPerWrite = 14
    /// CAPABILITIES flags bit 0 (1.4): the board has a sequencer that runs programs.
    static let capabilitySequencer: UInt8 = 1
    /// The sequencer's program memory and feature buffer (1.4).
    static let maxProgramBytes = 1 << 20
    static let maxFeatureValues = 16_384
    static let programBytesPerWrite = 28   // (32 − 4 offset bytes)
    static let featuresPerWrite = 7        // (32 − 4) / 4
    static let statusBusy: UInt8 = 1 << 0
    static let statusReady: UInt8 = 1 << 1
    static let statusError: UInt8 = 1 << 2
}

/// Big-endian encoding, as every multi-byte value travels.
extension Array where Element == UInt8 {
    mutating func appendBE(_ v: UInt8) { append(v) }
    mutating func appendBE(_ v: UInt16) { append(UInt8(v >> 8)); append(UInt8(v & 0xFF)) }
    mutating func appendBE(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { append(UInt8((v >> UInt32(s)) & 0xFF)) } }
    mutating func appendBE(_ v: UInt64) { for s in stride(from: 56, through: 0, by: -8) { append(UInt8((v >> UInt64(s)) & 0xFF)) } }
    mutating func appendBE(_ v: Int32) { appendBE(UInt32(bitPattern: v)) }
    mutating func appendBE(_ v: Double) { appendBE(v.bitPattern) }
}

/// Decoding of a write payload whose length was checked by the caller.
extension ArraySlice where Element == UInt8 {
    func u16(at offset: Int) -> UInt16 {
        let i = startIndex + offset
        return UInt16(self[i]) << 8 | UInt16(self[i + 1])
    }

    func u32(at offset: Int) -> UInt32 {
        let i = startIndex + offset
        return (0..<4).reduce(0) { $0 << 8 | UInt32(self[i + $1]) }
    }

    func u64(at offset: Int) -> UInt64 {
        let i = startIndex + offset
        return (0..<8).reduce(0) { $0 << 8 | UInt64(self[i + $1]) }
    }
}
