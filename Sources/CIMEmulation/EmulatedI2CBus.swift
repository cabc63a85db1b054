import CIMHAL

/// An I2C bus in memory: device models at addresses, every transaction
/// counted, and faults injected on demand. Drivers run on it exactly as on
/// `LinuxI2CBus`.
public final class EmulatedI2CBus: I2CBus {
    /// By 7-bit address: a transaction finds its device without hashing.
    private var devices = [(any I2CDeviceModel)?](repeating: nil, count: 128)
    private var vanished = [Bool](repeating: false, count: 128)
    public var faults: [I2CFault] = []
    /// Board time, for faults on a schedule (`.vanishing`).
    public var now: () -> Double = { 0 }
    /// Transactions started so far, faulted ones included (1-based in faults).
    public private(set) var transactionCount = 0
    /// What the injected faults did, by kind and by address.
    public private(set) var injected = InjectedFaults()
    private var rng: SeededGenerator64

    public init(seed: UInt64 = 1) {
        rng = SeededGenerator64(seed: seed)
    }

    public func attach(_ device: any I2CDeviceModel, at address: I2CAddress) {
        devices[Int(address.rawValue)] = device
    }

    /// The device stops answering (unplugged, browned out) until `reappear`.
    public func vanish(_ address: I2CAddress) { vanished[Int(address.rawValue)] = true }
    public func reappear(_ address: I2CAddress) { vanished[Int(address.rawValue)] = false }

    /// The model attached at `address`, if any.
    public func device(at address: UInt8) -> (any I2CDeviceModel)? { address < 128 ? devices[Int(address)] : nil }

    /// The same devices with no faults, uncounted: how a soak test reads
    /// the truth to check what the drivers accepted.
    public var faultFree: FaultFreeView { FaultFreeView(bus: self) }

    public struct FaultFreeView: I2CBus {
        let bus: EmulatedI2CBus

        public mutating func transaction(_ operations: [I2COperation], at address: I2CAddress) throws(HALError) -> [[UInt8]] {
            guard let device = bus.devices[Int(address.rawValue)] else { throw .noAcknowledge(.address, address: address.rawValue) }
            var reads: [[UInt8]] = []
            for operation in operations {
                switch operation {
                case let .write(bytes): try device.receive(bytes)
                case let .read(count): reads.append(try device.transmit(count: count))
                }
            }
            return reads
        }
    }

    /// Addresses that acknowledge, as `i2cdetect` would list them.
    public var respondingAddresses: [UInt8] {
        (0..<128).filter { devices[$0] != nil && !vanished[$0] }.map { UInt8($0) }
    }

    public func transaction(_ operations: [I2COperation], at address: I2CAddress) throws(HALError) -> [[UInt8]] {
        transactionCount += 1
        let n = transactionCount
        var corrupt = false, loseAcknowledge = false
        var absent = false
        for fault in faults {
            switch fault {
            case let .nackOnTransaction(k) where k == n:
                injected.nacks += 1
                throw .noAcknowledge(.address, address: address.rawValue)
            case let .nackRate(p) where uniform() < p:
                injected.nacks += 1
                throw .noAcknowledge(.address, address: address.rawValue)
            case let .timeoutOnTransaction(k) where k == n:
                injected.timeouts += 1
                throw .timeout(operation: "I2C transaction at \(address)", limitSeconds: 0.1)
            case let .timeoutRate(p) where uniform() < p:
                injected.timeouts += 1
                throw .timeout(operation: "I2C transaction at \(address)", limitSeconds: 0.1)
            case let .corruptReadRate(p) where uniform() < p:
                corrupt = true
            case let .lostAcknowledgeOnTransaction(k) where k == n:
                loseAcknowledge = true
            case let .vanishing(a, every, away) where a == address.rawValue:
                // Absent for the last `away` seconds of every `every` seconds of board time.
                absent = absent || now().truncatingRemainder(dividingBy: every) >= every - away
            default:
                break
            }
        }
        if absent { injected.vanishedTransactions += 1 }
        guard let device = devices[Int(address.rawValue)], !vanished[Int(address.rawValue)], !absent else {
            throw .noAcknowledge(.address, address: address.rawValue)
        }
        var reads: [[UInt8]] = []
        reads.reserveCapacity(operations.count)
        for operation in operations {
            switch operation {
            case let .write(bytes):
                try device.receive(bytes)
            case let .read(count):
                var bytes = try device.transmit(count: count)
                if corrupt, !bytes.isEmpty {
                    let index = Int(rng.next() % UInt64(bytes.count))
                    bytes[index] ^= UInt8(truncatingIfNeeded: 1 << (rng.next() % 8))
                    injected.corruptedReads[address.rawValue, default: 0] += 1
                    corrupt = false  // one flipped bit per transaction
                }
                reads.append(bytes)
            }
        }
        if loseAcknowledge {
            // The device took every byte; the host saw a NACK on the last one.
            throw .noAcknowledge(.data, address: address.rawValue)
        }
        return reads
    }

    private func uniform() -> Double { Double(rng.next() >> 11) * 0x1.0p-53 }
}

/// A fault the emulated bus injects.
public enum I2CFault: Sendable, Hashable {
    /// The Nth transaction (1-based) is not acknowledged.
    case nackOnTransaction(Int)
    /// Each transaction is not acknowledged with this probability.
    case nackRate(Double)
    /// The Nth transaction times out.
    case timeoutOnTransaction(Int)
    /// Each transaction times out with this probability.
    case timeoutRate(Double)
    /// Each transaction's read data has one bit flipped with this probability.
    case corruptReadRate(Double)
    /// The Nth transaction reaches the device in full, but the host sees a
    /// NACK: the case that makes retrying a non-idempotent command unsafe.
    case lostAcknowledgeOnTransaction(Int)
    /// The device at `address` drops off the bus for the last `awaySeconds`
    /// of every `everySeconds` of board time (the bus's `now`): a loose
    /// connector, a brown-out, a hot-plugged module.
    case vanishing(address: UInt8, everySeconds: Double, awaySeconds: Double)
}

/// Counts of what the emulated bus injected, for soak reports.
public struct InjectedFaults: Sendable, Hashable {
    public var nacks = 0
    public var timeouts = 0
    /// Reads that carried one flipped bit, by device address.
    public var corruptedReads: [UInt8: Int] = [:]
    /// Transactions refused because their device was away on schedule.
    public var vanishedTransactions = 0
}

/// SplitMix64: the bus's own small seeded generator, so CIMEmulation needs
/// nothing from the simulator to inject faults reproducibly.
struct SeededGenerator64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
