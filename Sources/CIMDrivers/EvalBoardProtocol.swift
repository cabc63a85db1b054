import CIMHAL

/// The host side's reading of boards/cim-eval-protocol.md, version 1.x.
///
/// The emulator in CIMEmulation keeps its own copy of these numbers on
/// purpose: two independent readings of one document, checked against each
/// other by the end-to-end tests.
enum EvalBoardRegister: UInt8 {
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

enum EvalBoardCommand: UInt8 {
    case program = 0x01
    case multiply = 0x02
    case calibrate = 0x03
    case loadProgram = 0x05
    case run = 0x06
}

/// The protocol's fixed numbers.
enum EvalBoardWire {
    static let magic: UInt32 = 0x4349_4D45  // "CIME"
    /// The major version this driver speaks; minor versions only add registers.
    static let versionMajor: UInt8 = 1
    /// The SMBus block limit: no transaction moves more.
    static let blockBytes = 32
    static let weightsPerWrite = 7   // (32 − 4 position bytes) / 4
    static let codesPerWrite = 14    // (32 − 4) / 2
    static let identityBytes = 8
    static let statusBytes = 4
    static let geometryBytes = 14
    static let reportHeaderBytes = 72
    static let calibrationHeaderBytes = 32

    /// CONFIG bit 0 (version 1.1): SMBus PEC on every transfer, both ways.
    static let configPEC: UInt8 = 1 << 0
    /// CONFIG bit 1 (version 1.2): long transfers, up to `longBytes` per data-register transaction.
    static let configLong: UInt8 = 1 << 1
    static let longBytes = 4096
    /// CAPABILITIES (version 1.4): flags (bit 0: a sequencer that runs
    /// programs), program format, feature buffer values, program memory bytes.
    static let capabilitiesBytes = 8
    static let capabilitySequencer: UInt8 = 1 << 0
    static let statusBusy: UInt8 = 1 << 0
    static let statusError: UInt8 = 1 << 2
}

/// What an eval board's link faults cost, for soak reports and summaries.
public struct EvalBoardLinkCounts: Sendable, Hashable, Codable {
    /// Idempotent transfers repeated after a transient fault.
    public var transfersRetried = 0
    /// Reads whose PEC byte did not match: damaged data, discarded and read again.
    public var pecMismatches = 0
    /// COMMAND writes that failed on the bus but had reached the board (STATUS said so).
    public var commandsTakenDespiteFault = 0
    /// COMMAND writes that failed before reaching the board, sent again.
    public var commandsResent = 0
    /// IDENTITY reads (before PEC) that disagreed with the one before.
    public var identityDisagreements = 0
    /// Times the board still had PEC on from an earlier host (no RESET since).
    public var pecFoundOn = 0

    public init() {}
}

/// What the board's ERROR_CODE says, and how a caller should see it.
enum EvalBoardErrorCode: UInt8 {
    case unknownRegister = 0x01
    case readOnly = 0x02
    case badLength = 0x03
    case outOfRange = 0x04
    case busy = 0x05
    case unknownCommand = 0x06
    case invalidArgument = 0x07
    case unsupported = 0x08
    case `internal` = 0x09

    var name: String {
        switch self {
        case .unknownRegister: "unknown register"
        case .readOnly: "read-only register"
        case .badLength: "bad length"
        case .outOfRange: "value out of range"
        case .busy: "busy"
        case .unknownCommand: "unknown command"
        case .invalidArgument: "invalid argument"
        case .unsupported: "unsupported"
        case .internal: "internal fault"
        }
    }

    /// The HAL kind for a code: the caller's arguments, the macro's limits,
    /// a busy board, or a protocol or device fault (EPROTO, EIO) that no
    /// argument of the caller explains.
    static func halError(code: UInt8, detail: String, operation: String, address: I2CAddress) -> HALError {
        let suffix = detail.isEmpty ? "" : ": \(detail)"
        guard let known = EvalBoardErrorCode(rawValue: code) else {
            return .io(errno: eproto, operation: "\(operation) on eval board \(address): unknown error code \(code)\(suffix)")
        }
        let what = "\(operation) on eval board \(address): \(known.name) (code \(code))\(suffix)"
        switch known {
        case .invalidArgument, .outOfRange: return .invalidArgument(what)
        case .unsupported: return .unsupported(what)
        case .busy: return .busy(what)
        case .internal: return .io(errno: eio, operation: what)
        case .unknownRegister, .readOnly, .badLength, .unknownCommand: return .io(errno: eproto, operation: what)
        }
    }

    /// Linux errno values, fixed so the driver needs no Glibc: EIO is the
    /// kernel's "vague I/O error", EPROTO a protocol error.
    static let eio: Int32 = 5
    static let eproto: Int32 = 71
}
