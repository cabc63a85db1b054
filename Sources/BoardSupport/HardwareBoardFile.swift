import CIMDrivers
import CIMHAL
import CIMSimulator
import Foundation

/// A board with an evaluation board and power monitors on I2C and GPIO:
/// real (`backend = "linux"`: /dev/i2c-N, a gpiochip) or emulated
/// (`backend = "emulated"`: the same drivers on an emulated bus, the eval
/// board fronting a simulated accelerator). Read-only configuration, as a
/// devicetree node is; units in the key names.
public struct HardwareBoardConfiguration: Sendable, Hashable {
    public enum Backend: String, Sendable, Hashable, CaseIterable {
        case linux
        case emulated
    }

    /// A power-monitor chip from the registry (`INAChips`).
    public struct MonitorChip: Sendable, Hashable, CustomStringConvertible {
        public let chip: any INAChipDescription.Type

        public init(_ chip: any INAChipDescription.Type) { self.chip = chip }

        /// The board file's `chip` value ("ina226").
        public var rawValue: String { chip.boardFileName }
        public var partNumber: String { chip.partNumber }
        public var description: String { chip.partNumber }
        /// Channels one chip serves; rails on one multi-channel chip share its address.
        public var channels: Int { chip.boardFile.channels }

        public static func == (lhs: Self, rhs: Self) -> Bool { ObjectIdentifier(lhs.chip) == ObjectIdentifier(rhs.chip) }
        public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(chip)) }
    }

    /// One rail's power monitor (`[power.<rail>]`).
    public struct PowerMonitorConfiguration: Sendable, Hashable {
        public var rail: String
        public var chip: MonitorChip
        public var address: UInt8
        /// Multi-channel chips (INA3221) only: which channel (1...3).
        public var channel: Int
        /// The internal shunt on chips that have one (INA260: 2 mΩ).
        public var rshuntMicroOhms: Int
        public var maxCurrentAmps: Double
        public var averaging: Int
        public var busConversionMicroseconds: Int
        public var shuntConversionMicroseconds: Int

        /// The settings in the chip-neutral terms the drivers take.
        public var railSettings: INARailSettings {
            INARailSettings(rail: rail, channel: channel, shuntMicroOhms: rshuntMicroOhms, maxCurrentAmps: maxCurrentAmps,
                            averaging: averaging, busConversionMicroseconds: busConversionMicroseconds,
                            shuntConversionMicroseconds: shuntConversionMicroseconds)
        }
    }

    public var name: String
    public var backend: Backend
    /// /dev/i2c-<bus>.
    public var i2cBus: Int
    /// Use I2C_SLAVE_FORCE: only when a kernel driver owns an address on purpose.
    public var forceAddress: Bool
    public var evalBoardAddress: UInt8
    /// How long to wait for READY after each kind of command.
    public var programTimeoutMilliseconds: Int
    public var multiplyTimeoutMilliseconds: Int
    public var calibrateTimeoutMilliseconds: Int
    public var resetTimeoutMilliseconds: Int
    /// Retries of an idempotent transfer after a NACK or timeout.
    public var retries: Int
    /// Ask a protocol-1.2 board for 4096-byte data transfers on a plain-I2C
    /// bus (`eval_board.long_transfers`, default false).
    public var longTransfers = false
    /// Join a multiply's register accesses into two transactions with
    /// repeated STARTs on a protocol-1.3 board over a plain-I2C bus
    /// (`eval_board.combined_transactions`, default false).
    public var combinedTransactions = false
    /// Whether the file describes an eval board (`[eval_board]`) and its
    /// GPIO lines (`[gpio]`): `cimfw probe` and `cimfw power` need neither,
    /// so a file with only `[i2c]` and `[power.*]` serves them; the
    /// firmware needs both.
    public var hasEvalBoard = true
    public var hasGPIO = true
    public var gpioChip: String
    public var resetLine: String
    public var readyLine: String
    public var markerLine: String
    public var powerMonitors: [PowerMonitorConfiguration]
    /// The vendor's peak throughput for the whole chip (`eval_board.peak_tops`,
    /// from its datasheet), which `cimfw evaluate` holds the measured rate
    /// against; nil when the file states none.
    public var claimedPeakTOPS: Double?
    /// Emulated boards: the simulated macro behind the emulated eval board.
    public var simulation: SimulatorConfiguration?
    /// Emulated boards: what the emulated bus injects (`[emulation.faults]`).
    public var faults = BusFaultSettings()
    /// Where board time comes from (`[clock]`): CLOCK_MONOTONIC, or the bus
    /// time device of a `cimfw emulate` behind the bus (virtual time).
    public var clock = ClockSource.monotonic

    public enum ClockSource: Sendable, Hashable {
        case monotonic
        /// `clock.source = "bus"`: the bus time device at this address.
        case bus(address: UInt8)
    }
}

/// `[emulation.faults]`: transient faults the emulated bus injects into every
/// transaction, so a soak runs from the command line (`cimfw run --board`).
/// Rates are per transaction; all default to 0.
public struct BusFaultSettings: Sendable, Hashable {
    public var nackRate = 0.0
    public var timeoutRate = 0.0
    /// One bit of the read data flipped.
    public var corruptReadRate = 0.0
    /// The faults' own generator seed, apart from the simulation's.
    public var seed: UInt64 = 1
    /// A device that drops off the bus for `vanishForSeconds` at the end of
    /// every `vanishEverySeconds` of board time.
    public var vanishAddress: UInt8?
    public var vanishEverySeconds = 0.0
    public var vanishForSeconds = 0.0

    public init() {}

    public var isEmpty: Bool { nackRate == 0 && timeoutRate == 0 && corruptReadRate == 0 && vanishAddress == nil }
}

enum HardwareBoardFile {
    static func configuration(from r: inout BoardFileReader, backend: HardwareBoardConfiguration.Backend) throws(BoardFileError) -> HardwareBoardConfiguration {
        let name = try r.string("board.name")
        let i2cBus = try r.int("i2c.bus", in: 0...255)
        let force = try r.bool("i2c.force_address")
        // [eval_board] and [gpio] are optional on a linux board: probe and power need neither.
        let hasEvalBoard = backend == .emulated || r.has("eval_board.address")
        let hasGPIO = backend == .emulated || r.has("gpio.chip")
        var evalAddress: UInt8 = 0
        var programTimeout = 10_000, multiplyTimeout = 500, calibrateTimeout = 10_000, resetTimeout = 1000, retries = 2
        var longTransfers = false, combinedTransactions = false
        if hasEvalBoard {
            evalAddress = try address(&r, "eval_board.address")
            programTimeout = try r.int("eval_board.program_timeout_milliseconds", in: 1...3_600_000)
            multiplyTimeout = try r.int("eval_board.multiply_timeout_milliseconds", in: 1...3_600_000)
            calibrateTimeout = try r.int("eval_board.calibrate_timeout_milliseconds", in: 1...3_600_000)
            resetTimeout = try r.int("eval_board.reset_timeout_milliseconds", in: 1...3_600_000)
            retries = try r.int("eval_board.retries", in: 0...10)
            if r.has("eval_board.long_transfers") { longTransfers = try r.bool("eval_board.long_transfers") }
            if r.has("eval_board.combined_transactions") { combinedTransactions = try r.bool("eval_board.combined_transactions") }
        } else if r.has("eval_board.retries") {
            retries = try r.int("eval_board.retries", in: 0...10)
        }
        var chip = "", reset = "", ready = "", marker = ""
        if hasGPIO {
            chip = try r.string("gpio.chip")
            reset = try r.string("gpio.reset_line")
            ready = try r.string("gpio.ready_line")
            marker = try r.string("gpio.marker_line")
            for (key, value) in [("gpio.chip", chip), ("gpio.reset_line", reset), ("gpio.ready_line", ready), ("gpio.marker_line", marker)] where value.isEmpty {
                throw r.error(.outOfRange, key: key, value: "\"\"", expected: "a non-empty name")
            }
        }
        if hasEvalBoard && !hasGPIO {
            throw BoardFileError(.missingKey, file: r.file, key: "gpio.chip",
                                 expected: "a [gpio] table with the eval board's RESET, READY and marker lines (an eval board is driven through them)")
        }
        var clock = HardwareBoardConfiguration.ClockSource.monotonic
        if r.has("clock.source") {
            let source = try r.string("clock.source", oneOf: ["monotonic", "bus"])
            if source == "bus" {
                guard backend == .linux else {
                    throw r.error(.inconsistent, key: "clock.source", related: ["board.backend"], value: "\"bus\"",
                                  expected: "\"monotonic\" on an emulated board, whose time is already the models' own")
                }
                clock = .bus(address: try address(&r, "clock.address"))
            }
        }

        var monitors: [HardwareBoardConfiguration.PowerMonitorConfiguration] = []
        // Conversion times of every chip bound the key's range; each chip then narrows it to its own table.
        let allTimes = INAChips.all.flatMap { $0.boardFile.conversionMicroseconds }
        let timeRange = (allTimes.min() ?? 1)...(allTimes.max() ?? 1)
        for rail in r.subtables(of: "power") {
            let p = "power.\(rail)."
            let kindName = try r.string(p + "chip", oneOf: INAChips.all.map { $0.boardFileName })
            guard let found = INAChips.named(kindName) else {
                throw r.error(.outOfRange, key: p + "chip", value: "\"\(kindName)\"", expected: "a chip of the registry")
            }
            let kind = HardwareBoardConfiguration.MonitorChip(found)
            let schema = found.boardFile
            let monitorAddress = try address(&r, p + "address")
            let channel = schema.channels > 1 ? try r.int(p + "channel", in: 1...schema.channels) : 1
            var shunt = 0
            if let inside = schema.internalShuntMicroOhms { shunt = inside } else { shunt = try r.int(p + "rshunt_micro_ohms", in: 1...10_000_000) }
            let averaging = try r.int(p + "averaging", in: 1...1024)
            guard schema.averagingCounts.contains(averaging) else {
                throw r.error(.outOfRange, key: p + "averaging", value: "\(averaging)",
                              expected: "one of \(schema.averagingCounts.map(String.init).joined(separator: ", ")) for an \(kind.partNumber)")
            }
            let busCT = try r.int(p + "bus_conversion_microseconds", in: timeRange)
            let shuntCT = try r.int(p + "shunt_conversion_microseconds", in: timeRange)
            let settings = INARailSettings(rail: rail, channel: channel, shuntMicroOhms: shunt, maxCurrentAmps: 0, averaging: averaging,
                                           busConversionMicroseconds: busCT, shuntConversionMicroseconds: shuntCT)
            let violations = schema.constraint?(settings) ?? []
            for (key, value) in [("bus_conversion_microseconds", busCT), ("shunt_conversion_microseconds", shuntCT)] {
                guard schema.conversionMicroseconds.contains(value) else {
                    throw r.error(.outOfRange, key: p + key, value: "\(value)",
                                  expected: "one of \(schema.conversionMicroseconds.map(String.init).joined(separator: ", ")) µs for an \(kind.partNumber)")
                }
                if let broken = violations.first(where: { $0.key == key }) {
                    throw r.error(.inconsistent, key: p + broken.key, related: broken.related.map { p + $0 }, value: broken.value,
                                  expected: broken.expected)
                }
            }
            monitors.append(.init(rail: rail, chip: kind, address: monitorAddress, channel: channel, rshuntMicroOhms: shunt,
                                  maxCurrentAmps: try r.double(p + "max_current_amps", in: 0.001...100),
                                  averaging: averaging, busConversionMicroseconds: busCT, shuntConversionMicroseconds: shuntCT))
            if schema.channels == 1 { r.allowInherited([p + "channel"]) }
        }
        guard !monitors.isEmpty else {
            throw BoardFileError(.missingKey, file: r.file, key: "power", expected: "at least one [power.<rail>] table with a power monitor")
        }
        // One device per address, except that a multi-channel chip (INA3221)
        // serves several rails from one address, one channel each, with one set of settings.
        var chipAt: [UInt8: HardwareBoardConfiguration.PowerMonitorConfiguration] = [:]
        for m in monitors {
            let key = "power.\(m.rail).address"
            if hasEvalBoard && m.address == evalAddress {
                throw r.error(.inconsistent, key: key, related: ["eval_board.address"], value: "0x\(String(m.address, radix: 16))",
                              expected: "each device at its own I2C address (the eval board is there)")
            }
            guard let first = chipAt[m.address] else { chipAt[m.address] = m; continue }
            guard first.chip == m.chip, m.chip.channels > 1 else {
                throw r.error(.inconsistent, key: key, value: "0x\(String(m.address, radix: 16))",
                              expected: "each device at its own I2C address (rail \(first.rail) is there)")
            }
            let sameSettings = first.averaging == m.averaging && first.busConversionMicroseconds == m.busConversionMicroseconds
                && first.shuntConversionMicroseconds == m.shuntConversionMicroseconds
            guard sameSettings else {
                throw r.error(.inconsistent, key: "power.\(m.rail).averaging", value: "\(m.averaging)",
                              expected: "the settings of rail \(first.rail): one \(m.chip.partNumber) has one averaging and one pair of conversion times")
            }
        }
        for (address, group) in Dictionary(grouping: monitors.filter { $0.chip.channels > 1 }, by: \.address) {
            let channels = group.map(\.channel)
            if Set(channels).count != channels.count {
                throw r.error(.inconsistent, key: "power.\(group[0].rail).channel", value: "\(channels)",
                              expected: "a different channel for each rail on the \(group[0].chip.partNumber) at 0x\(String(address, radix: 16))")
            }
        }

        let peak = r.has("eval_board.peak_tops") ? try r.double("eval_board.peak_tops", in: 1e-6...1e6) : nil
        var simulation: SimulatorConfiguration?
        var faults = BusFaultSettings()
        if backend == .emulated {
            faults = try busFaults(&r)
            let relative = try r.string("emulation.simulation")
            let base = URL(fileURLWithPath: r.file(defining: "emulation.simulation")).deletingLastPathComponent()
            let path = relative.hasPrefix("/") ? relative : base.appendingPathComponent(relative).path
            let macro = try BoardFile.loadSimulated(
                path: path, purpose: "\(r.file)'s emulation.simulation = \"\(relative)\" must name a simulated board file")
            simulation = macro
        }
        return HardwareBoardConfiguration(
            name: name, backend: backend, i2cBus: i2cBus, forceAddress: force, evalBoardAddress: evalAddress,
            programTimeoutMilliseconds: programTimeout, multiplyTimeoutMilliseconds: multiplyTimeout,
            calibrateTimeoutMilliseconds: calibrateTimeout, resetTimeoutMilliseconds: resetTimeout, retries: retries, longTransfers: longTransfers,
            combinedTransactions: combinedTransactions, hasEvalBoard: hasEvalBoard, hasGPIO: hasGPIO, gpioChip: chip, resetLine: reset, readyLine: ready,
            markerLine: marker, powerMonitors: monitors, claimedPeakTOPS: peak, simulation: simulation, faults: faults, clock: clock)
    }

    /// `[emulation.faults]`, every key optional. A rate above one half is no
    /// longer a glitchy bus but a broken one, so it is refused.
    static func busFaults(_ r: inout BoardFileReader) throws(BoardFileError) -> BusFaultSettings {
        var f = BusFaultSettings()
        let p = "emulation.faults."
        if r.has(p + "nack_rate") { f.nackRate = try r.double(p + "nack_rate", in: 0...0.5) }
        if r.has(p + "timeout_rate") { f.timeoutRate = try r.double(p + "timeout_rate", in: 0...0.5) }
        if r.has(p + "corrupt_read_rate") { f.corruptReadRate = try r.double(p + "corrupt_read_rate", in: 0...0.5) }
        if r.has(p + "seed") { f.seed = UInt64(try r.int(p + "seed", in: 0...Int.max)) }
        let vanishKeys = [p + "vanish_address", p + "vanish_every_seconds", p + "vanish_for_seconds"]
        if vanishKeys.contains(where: r.has) {
            for key in vanishKeys where !r.has(key) {
                throw BoardFileError(.missingKey, file: r.file, key: key,
                                     expected: "vanish_address, vanish_every_seconds and vanish_for_seconds together")
            }
            f.vanishAddress = try address(&r, p + "vanish_address")
            f.vanishEverySeconds = try r.double(p + "vanish_every_seconds", in: 0.001...1e9)
            f.vanishForSeconds = try r.double(p + "vanish_for_seconds", in: 0...f.vanishEverySeconds)
        }
        return f
    }

    /// A 7-bit address outside the reserved ranges.
    private static func address(_ r: inout BoardFileReader, _ key: String) throws(BoardFileError) -> UInt8 {
        UInt8(try r.int(key, in: Int(I2CAddress.validRange.lowerBound)...Int(I2CAddress.validRange.upperBound)))
    }
}
