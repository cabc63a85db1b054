import Testing
import CIMDrivers
import CIMEmulation
import CIMHAL
import CIMSimulator

/// The emulated bus with faults chosen by what a transaction carries (a
/// register one of its write legs addresses), which `EmulatedI2CBus` cannot
/// target: "the COMMAND write", "every other OUTPUT_DATA read".
final class SelectiveFaultBus: I2CBus {
    struct Rule {
        var register: UInt8
        /// Matching transactions to fail; Int.max for all.
        var times: Int
        /// Fail only the 1st, 3rd, 5th … matching transaction, so a retry succeeds.
        var everyOther = false
        /// The device sees the transaction and then the host sees a NACK: a lost ACK.
        var reachesDevice = false
        /// Instead of failing, the transaction reaches the device twice (a
        /// controller that repeats on its own) and succeeds.
        var duplicates = false
    }

    let inner: EmulatedI2CBus
    var rules: [Rule] = []
    private var seen: [UInt8: Int] = [:]
    private(set) var injected = 0
    /// What this bus claims to carry; an SMBus-only one refuses (as
    /// LinuxI2CBus does) any transaction SMBus cannot express.
    var limits = I2CTransferLimits.plainI2C
    var transfers: I2CTransferLimits { limits }
    private(set) var transactions = 0
    private(set) var longestWrite = 0
    private(set) var longestRead = 0

    init(_ inner: EmulatedI2CBus) { self.inner = inner }

    func transaction(_ operations: [I2COperation], at address: I2CAddress) throws(HALError) -> [[UInt8]] {
        transactions += 1
        for operation in operations {
            switch operation {
            case let .write(bytes): longestWrite = max(longestWrite, bytes.count)
            case let .read(count): longestRead = max(longestRead, count)
            }
        }
        if limits.smbusOnly {
            let fits = switch (operations.first, operations.count) {
            case let (.write(bytes)?, 1): bytes.count <= limits.maximumWrite
            case let (.write(bytes)?, 2): bytes.count == 1 && { if case let .read(n) = operations[1] { n <= limits.maximumRead } else { false } }()
            case (.read(1)?, 1): true
            default: false
            }
            guard fits else { throw .unsupported("an SMBus-only bus cannot carry \(operations)") }
        }
        let registers = operations.compactMap { if case let .write(bytes) = $0 { bytes.first } else { nil } }
        if let n = rules.firstIndex(where: { rule in rule.times > 0 && registers.contains(rule.register) }) {
            let register = rules[n].register
            let k = seen[register, default: 0]
            seen[register] = k + 1
            if !rules[n].everyOther || k % 2 == 0 {
                rules[n].times -= 1
                injected += 1
                if rules[n].duplicates {
                    _ = try inner.transaction(operations, at: address)
                    return try inner.transaction(operations, at: address)
                }
                if rules[n].reachesDevice { _ = try inner.transaction(operations, at: address) }
                throw .noAcknowledge(.data, address: address.rawValue)
            }
        }
        return try inner.transaction(operations, at: address)
    }
}

/// What the driver asks a board for: 32-byte or 4096-byte data transfers
/// (1.2), one register access per transaction or combined ones (1.3).
enum Transactions: CaseIterable, CustomTestStringConvertible {
    case short, long, combined, longAndCombined
    var long: Bool { self == .long || self == .longAndCombined }
    var combined: Bool { self == .combined || self == .longAndCombined }
    var testDescription: String { "\(self)" }
}

/// An eval board on an emulated bus with its RESET and READY wires, driven
/// by `EvalBoard`, and a second simulator with the same configuration to
/// compare against.
struct EvalRig {
    typealias Board = EvalBoard<SelectiveFaultBus, VirtualOutputLine, VirtualInputLine>
    let emulated: EmulatedI2CBus
    let bus: SelectiveFaultBus
    let clock = VirtualClock()
    let chip: VirtualGPIOChip
    let model: EvalBoardModel
    let board: Board
    let direct: SimulatedAccelerator

    init(_ configuration: SimulatorConfiguration, maxBatch: Int = 16,
         timeouts: EvalBoardTimeouts = .standard, resetHeldLow: Bool = false,
         limits: I2CTransferLimits = .plainI2C, transactions: Transactions = .short) throws {
        chip = VirtualGPIOChip(clock: clock)
        chip.addLine("RESET", level: resetHeldLow ? .low : .high)
        chip.addLine("READY", level: .low)
        emulated = EmulatedI2CBus(seed: 3)
        bus = SelectiveFaultBus(emulated)
        bus.limits = limits
        let address = try I2CAddress(0x2C)
        model = try EvalBoardModel(accelerator: SimulatedAccelerator(configuration: configuration), address: address,
                                   chip: chip, clock: clock, maxBatch: maxBatch)
        emulated.attach(model, at: address)
        board = try EvalBoard(bus: bus, address: address, reset: chip.output("RESET"), ready: chip.input("READY"),
                              timeouts: timeouts, prefersLongTransfers: transactions.long,
                              prefersCombinedTransactions: transactions.combined)
        direct = try SimulatedAccelerator(configuration: configuration)
    }
}

enum EvalFixture {
    /// Every effect whose randomness or state could diverge between two paths.
    static func noisy(seed: UInt64 = 7) -> SimulatorConfiguration {
        var c = SimulatorConfiguration.ideal(rows: 40, columns: 24, tiles: 2, seed: seed)
        c.programming = ProgrammingVariability(enabled: true, variabilityRelative: 0.05, distribution: .gaussian,
                                               pulseGranularityRelative: 0.005)
        c.readNoise = ReadNoise(enabled: true, sigmaRelative: 0.02)
        c.adc = ADCQuantizer(enabled: true, bits: 8, fullScaleFraction: 0.125)
        c.dac = DACQuantizer(enabled: true, bits: 8, bitSerial: false)
        c.adcMismatch = ADCColumnMismatch(enabled: true, gainStdRelative: 0.02, offsetStdLSB: 0.5)
        c.calibration = CalibrationSettings(referenceVectors: 32, referenceColumn: true, referenceColumnReads: 4)
        c.thermal = .ramp(startCelsius: 25, endCelsius: 45, startSeconds: 0, durationSeconds: 1e-3)
        return c
    }

    /// Deterministic weights in ±0.5, with exact zeros and a −0.0 among them.
    static func weights(rows: Int, columns: Int) throws -> WeightMatrix {
        var values = (0..<(rows * columns)).map { i -> Float in
            Float((i &* 2_654_435_761) % 2001 - 1000) / 2000
        }
        for i in stride(from: 0, to: values.count, by: 5) { values[i] = 0 }
        values[3] = -0.0
        return try WeightMatrix(rows: rows, columns: columns, values: values)
    }

    /// `count` input vectors of `rows` codes within ±codeMax.
    static func inputs(count: Int, rows: Int, codeMax: Int32, salt: Int = 0) -> [Int32] {
        (0..<(count * rows)).map { i in Int32((i &* 40_503 &+ salt &* 977) % Int(2 * codeMax + 1)) - codeMax }
    }
}
