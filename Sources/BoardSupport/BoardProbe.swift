import CIMDrivers
import CIMHAL

/// What answers on a bus, what each device says it is, and whether that is
/// the board its file describes — `cimfw probe`.
public enum BoardProbe {
    /// A device's own claim about what it is.
    public enum Identity: Sendable, Hashable, CustomStringConvertible {
        /// Unverified: the INA219 has no ID registers; its reserved bits read as they should.
        case ina219Plausible
        /// The address answers, but with an error (EBUSY: a kernel driver owns it).
        case unreadable(HALError)
        /// A chip of the INA registry, by its ID registers.
        case powerMonitor(partNumber: String, revision: UInt8)
        /// `sequencerFormat`: the program format a 1.4 board's sequencer runs, when CAPABILITIES reports one.
        case evalBoard(versionMajor: UInt8, versionMinor: UInt8, boardID: UInt16, sequencerFormat: UInt8? = nil)
        /// The bus time device of a `cimfw emulate` (board file `[clock] source = "bus"`).
        case busTime(seconds: Double)
        case unknown(String)

        public var description: String {
            switch self {
            case .ina219Plausible: return "INA219? (unverified: no ID registers; its reserved bits read as an INA219's do)"
            case let .unreadable(error): return "unreadable: \(error)"
            case let .powerMonitor(part, rev): return "\(part) (die revision \(rev))"
            case let .evalBoard(major, minor, id, format):
                return "CIM eval board (protocol \(major).\(minor), board ID \(id)" + (format.map { ", sequencer for program format \($0)" } ?? "") + ")"
            case let .busTime(seconds): return "bus time device (board time \(String(format: "%.6f", seconds)) s)"
            case let .unknown(why): return "unknown (\(why))"
            }
        }

        public static func ina226(revision: UInt8) -> Identity { .powerMonitor(partNumber: "INA226", revision: revision) }
        public static func ina260(revision: UInt8) -> Identity { .powerMonitor(partNumber: "INA260", revision: revision) }
    }

    public struct Finding: Sendable, Hashable {
        public var address: UInt8
        public var identity: Identity
    }

    public struct Check: Sendable, Hashable {
        public var expected: String
        public var address: UInt8
        public var found: Identity?
        public var matches: Bool
        /// A match by elimination (an INA219 cannot say what it is).
        public var verified: Bool
    }

    public struct Report: Sendable, Hashable {
        public var findings: [Finding]
        public var checks: [Check]
        /// Devices that answer but the board file does not mention.
        public var unexpected: [Finding]
        public var matches: Bool { checks.allSatisfy(\.matches) }
    }

    /// Addresses that acknowledge a one-byte read, as `i2cdetect -r` finds
    /// them, each with the error it answered with, if any. A NACK means
    /// nobody is there; EBUSY means somebody is, owned by a kernel driver;
    /// other errors (some adapters give EIO for an empty address) are not
    /// taken as a device.
    ///
    /// On a glitchy bus a present device can miss one answer, so an address
    /// that does not answer is asked `tries` times in all before it counts
    /// as empty (an empty address costs `tries` NACKs, microseconds each).
    public static func scan<Bus: I2CBus>(_ bus: inout Bus, tries: Int = 3) -> [(address: UInt8, error: HALError?)] {
        var found: [(UInt8, HALError?)] = []
        for raw in I2CAddress.validRange {
            guard let address = try? I2CAddress(raw) else { continue }
            for _ in 0..<max(1, tries) {
                do {
                    _ = try bus.read(count: 1, from: address)
                    found.append((raw, nil))
                    break
                } catch {
                    if case .busy = error { found.append((raw, error)); break }
                }
            }
        }
        return found
    }

    /// Reads the ID registers a device may have. TI's INA226/260/3221 answer
    /// 0x5449 ("TI") at 0xFE and their die ID at 0xFF; the eval board
    /// answers "CIME" at register 0x00 (cim-eval-protocol.md); the INA219 has
    /// no ID, so only its configuration register's reserved bit can hint.
    ///
    /// A read that fails or is damaged on the wire makes a device look
    /// unknown, so identification is tried `tries` times until it names one.
    public static func identify<Bus: I2CBus>(_ bus: inout Bus, at raw: UInt8, tries: Int = 3) -> Identity {
        var identity = identifyOnce(&bus, at: raw)
        for _ in 1..<max(1, tries) {
            guard case .unknown = identity else { break }
            identity = identifyOnce(&bus, at: raw)
        }
        return identity
    }

    private static func identifyOnce<Bus: I2CBus>(_ bus: inout Bus, at raw: UInt8) -> Identity {
        guard let address = try? I2CAddress(raw) else { return .unknown("reserved address") }
        // Nine bytes: a 1.1 board with PEC on sends its PEC byte after the eight, a board without sends a zero.
        if let identity = try? bus.writeRead([0x00], readCount: 9, at: address),
           identity.count == 9, identity[0...3] == [0x43, 0x49, 0x4D, 0x45] {
            // 1.4: CAPABILITIES says whether the board runs programs (bit 0) and in which format.
            var format: UInt8?
            if identity[4] == 1, identity[5] >= 4, let capabilities = try? bus.writeRead([0x0A], readCount: 9, at: address),
               capabilities.count == 9, capabilities[0] & 1 != 0 {
                format = capabilities[1]
            }
            return .evalBoard(versionMajor: identity[4], versionMinor: identity[5],
                              boardID: UInt16(identity[6]) << 8 | UInt16(identity[7]), sequencerFormat: format)
        }
        // TI's chips keep their ID registers at FEh/FFh, the INA228 generation at 3Eh/3Fh.
        var idRegisters: [(manufacturer: UInt8, device: UInt8)] = []
        for chip in INAChips.all {
            guard let id = chip.identification, !idRegisters.contains(where: { $0 == (id.manufacturerRegister, id.deviceRegister) }) else { continue }
            idRegisters.append((id.manufacturerRegister, id.deviceRegister))
        }
        for registers in idRegisters {
            guard let manufacturer = try? bus.readRegister16(registers.manufacturer, at: address), manufacturer == inaManufacturerIDTexasInstruments,
                  let die = try? bus.readRegister16(registers.device, at: address) else { continue }
            let chip = INAChips.all.first { chip in
                guard let id = chip.identification else { return false }
                return id.manufacturerRegister == registers.manufacturer && id.deviceRegister == registers.device && id.deviceID == die >> 4
            }
            guard let chip else { return .unknown("TI part with die ID 0x\(String(die, radix: 16))") }
            return .powerMonitor(partNumber: chip.partNumber, revision: UInt8(die & 0xF))
        }
        // INA219 (SBOS448 §8.6): configuration bit 14 is reserved (reads 0),
        // bus-voltage bit 2 is reserved (reads 0), CAL bit 0 is void (reads 0).
        if let config = try? bus.readRegister16(0x00, at: address), config & 0x4000 == 0,
           let busVoltage = try? bus.readRegister16(0x02, at: address), busVoltage & 0x0004 == 0,
           let calibration = try? bus.readRegister16(0x05, at: address), calibration & 0x0001 == 0 {
            return .ina219Plausible
        }
        return .unknown("no ID registers this probe knows")
    }

    /// Scans, identifies and checks against a hardware board file.
    public static func run<Bus: I2CBus>(_ bus: inout Bus, against c: HardwareBoardConfiguration) -> Report {
        var timeAddress: UInt8?
        if case let .bus(address) = c.clock { timeAddress = address }
        let findings = scan(&bus).map { answer in
            // The time device has no ID registers: it is known by the file's [clock], and read as a clock.
            if answer.error == nil, answer.address == timeAddress, let target = try? I2CAddress(answer.address),
               let bytes = try? bus.writeRead([BusTimeRegister.now.rawValue], readCount: 8, at: target) {
                return Finding(address: answer.address, identity: .busTime(seconds: Double(bytes.reduce(0) { $0 << 8 | UInt64($1) }) * 1e-9))
            }
            return Finding(address: answer.address, identity: answer.error.map { .unreadable($0) } ?? identify(&bus, at: answer.address))
        }
        let byAddress = Dictionary(uniqueKeysWithValues: findings.map { ($0.address, $0.identity) })
        var checks: [Check] = []
        func check(_ expected: String, at address: UInt8, _ accepts: (Identity) -> Bool) {
            let found = byAddress[address]
            checks.append(Check(expected: expected, address: address, found: found, matches: found.map(accepts) ?? false,
                                verified: found != .ina219Plausible))
        }
        if c.hasEvalBoard { check("CIM eval board", at: c.evalBoardAddress) { if case .evalBoard = $0 { return true } else { return false } } }
        if let timeAddress {
            check("bus time device ([clock])", at: timeAddress) { if case .busTime = $0 { return true } else { return false } }
        }
        var checked: Set<UInt8> = []
        // An INA3221 serves up to three rails from one address: check it once.
        for monitor in c.powerMonitors where checked.insert(monitor.address).inserted {
            check("\(monitor.chip.partNumber) for rail \(monitor.rail)", at: monitor.address) { identity in
                switch identity {
                case let .powerMonitor(part, _): return part == monitor.chip.partNumber
                // Only a chip without ID registers (the INA219) is recognised by elimination.
                case .ina219Plausible: return monitor.chip.chip.identification == nil
                default: return false
                }
            }
        }
        let expectedAddresses = Set(checks.map(\.address))
        return Report(findings: findings, checks: checks,
                      unexpected: findings.filter { !expectedAddresses.contains($0.address) })
    }
}
