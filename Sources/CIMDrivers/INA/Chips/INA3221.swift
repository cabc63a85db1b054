import CIMHAL

/// One of the INA3221's three channels.
public enum INA3221ChannelID: Int, CaseIterable, Sendable {
    case ch1 = 1, ch2, ch3

    var offset: UInt8 { UInt8(rawValue - 1) * 2 }
    /// CH1en…CH3en in the configuration register (bits 14…12).
    var enableBit: UInt16 { 1 << UInt16(15 - rawValue) }
}

/// INA3221 register pointers (SBOS576 Table 3).
public enum INA3221Register {
    public static let configuration: UInt8 = 0x00
    public static func shuntVoltage(_ channel: INA3221ChannelID) -> UInt8 { 0x01 + channel.offset }
    public static func busVoltage(_ channel: INA3221ChannelID) -> UInt8 { 0x02 + channel.offset }
    /// Compared with every single shunt conversion.
    public static func criticalLimit(_ channel: INA3221ChannelID) -> UInt8 { 0x07 + channel.offset }
    /// Compared with the averaged shunt value.
    public static func warningLimit(_ channel: INA3221ChannelID) -> UInt8 { 0x08 + channel.offset }
    public static let shuntVoltageSum: UInt8 = 0x0D
    public static let shuntVoltageSumLimit: UInt8 = 0x0E
    public static let maskEnable: UInt8 = 0x0F
    public static let powerValidUpperLimit: UInt8 = 0x10
    public static let powerValidLowerLimit: UInt8 = 0x11
    public static let manufacturerID: UInt8 = 0xFE
    public static let dieID: UInt8 = 0xFF

    /// All channels on, AVG 1, 1.1 ms both, continuous.
    public static let configurationPOR: UInt16 = 0x7127
    /// The die ID of revision 0; only bits 15:4 (`deviceID`) identify the chip,
    /// bits 3:0 are the die revision (SBOS576 §8.6.2, Die ID register).
    public static let dieIDExpected: UInt16 = 0x3220
    /// DID 0x322 in bits 15:4 of the die-ID register.
    public static let deviceID: UInt16 = 0x322
    /// POR of the critical and warning limits (7FF8h: +163.8 mV, the ADC full scale, so never exceeded).
    public static let limitPOR: UInt16 = 0x7FF8
    /// Shunt: sign + 12 bits in 15:3, 40 µV. Bus: sign + 12 bits in 15:3, 8 mV.
    public static let shuntLSBVolts = 40e-6
    public static let busLSBVolts = 8e-3
}

/// Mask/Enable of the INA3221 (SBOS576 §8.6.2.14).
public struct INA3221MaskEnable: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static func summationEnabled(_ c: INA3221ChannelID) -> Self { Self(rawValue: 1 << UInt16(15 - c.rawValue)) }
    public static let warningLatch = Self(rawValue: 1 << 11)
    public static let criticalLatch = Self(rawValue: 1 << 10)
    public static func criticalFlag(_ c: INA3221ChannelID) -> Self { Self(rawValue: 1 << UInt16(10 - c.rawValue)) }
    public static let summationFlag = Self(rawValue: 1 << 6)
    public static func warningFlag(_ c: INA3221ChannelID) -> Self { Self(rawValue: 1 << UInt16(6 - c.rawValue)) }
    public static let powerValidFlag = Self(rawValue: 1 << 2)
    public static let timingControlFlag = Self(rawValue: 1 << 1)
    public static let conversionReadyFlag = Self(rawValue: 1 << 0)
}

public struct INA3221ChannelSettings: Sendable, Hashable {
    public var railName: String
    public var shuntMicroOhms: Double
    public init(railName: String, shuntMicroOhms: Double) {
        self.railName = railName
        self.shuntMicroOhms = shuntMicroOhms
    }
}

public struct INA3221Configuration: Sendable, Hashable {
    /// nil disables the channel (CHxen = 0), as `status = "disabled"` in Linux DT.
    public var channels: [INA3221ChannelID: INA3221ChannelSettings]
    public var averaging: INAAveraging
    public var busConversionTime: INAConversionTime
    public var shuntConversionTime: INAConversionTime
    public var mode: INAOperatingMode

    public init(channels: [INA3221ChannelID: INA3221ChannelSettings], averaging: INAAveraging = .samples1,
                busConversionTime: INAConversionTime = .us1100, shuntConversionTime: INAConversionTime = .us1100,
                mode: INAOperatingMode = .shuntAndBusContinuous) {
        self.channels = channels
        self.averaging = averaging
        self.busConversionTime = busConversionTime
        self.shuntConversionTime = shuntConversionTime
        self.mode = mode
    }

    public var configurationWord: UInt16 {
        var word: UInt16 = 0
        for channel in channels.keys { word |= channel.enableBit }
        word = INAConfigurationField.averaging.set(averaging.rawValue, in: word)
        word = INAConfigurationField.busConversionTime.set(busConversionTime.rawValue, in: word)
        word = INAConfigurationField.shuntConversionTime.set(shuntConversionTime.rawValue, in: word)
        return INAConfigurationField.mode.set(mode.rawValue, in: word)
    }

    /// Channels × AVG × (VBUSCT + VSHCT) (Linux Documentation/hwmon/ina3221.rst).
    public var conversionPeriodSeconds: Double {
        Double(channels.count * averaging.sampleCount) * ((mode.measuresShunt ? shuntConversionTime.seconds : 0)
            + (mode.measuresBus ? busConversionTime.seconds : 0))
    }
}

/// A register pointer of the INA3221 (see `INA3221Register` for the map).
public struct INA3221RegisterPointer: RawRepresentable, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
}

/// The INA3221's table for `INAMonitor`: the lifecycle is shared; sampling
/// is per channel (`INA3221`).
public enum INA3221Chip: INAChip {
    public typealias Register = INA3221RegisterPointer
    public typealias Configuration = INA3221Configuration

    public static let partNumber = "INA3221"
    public static let identification: INAIdentification? = INAIdentification(
        manufacturerRegister: INA3221Register.manufacturerID, deviceRegister: INA3221Register.dieID, deviceID: INA3221Register.deviceID)
    public static let configurationRegister = INA3221Register.configuration
    public static let configurationPOR = INA3221Register.configurationPOR
    public static let resetWrite = INARegisterWrite(INA3221Register.configuration, INAConfigurationField.reset.set(1, in: 0))
    public static let conversionReady = INAFlag(register: INA3221Register.maskEnable, mask: INA3221MaskEnable.conversionReadyFlag.rawValue)
    /// The INA226's averaging and conversion-time tables (SBOS576 §8.6.2.1); three channels.
    public static let boardFile = INABoardFileSchema(averagingCounts: INAAveraging.allCases.map(\.sampleCount),
                                                     conversionMicroseconds: INAConversionTime.allCases.map(\.microseconds),
                                                     channels: 3)

    public static func calibration(for c: INA3221Configuration) throws(HALError) -> INAFixedScale {
        for (channel, settings) in c.channels.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard settings.shuntMicroOhms.isFinite, settings.shuntMicroOhms > 0 else {
                throw .invalidArgument("INA3221 channel \(channel.rawValue) shuntMicroOhms \(settings.shuntMicroOhms) must be a positive number")
            }
        }
        return INAFixedScale()
    }

    public static func configurationWord(_ c: INA3221Configuration) -> UInt16 { c.configurationWord }

    public static func setUpWrites(_ c: INA3221Configuration, calibration: INAFixedScale) -> [INARegisterWrite] {
        [INARegisterWrite(INA3221Register.configuration, c.configurationWord)]
    }

    public static func conversionPeriodSeconds(_ c: INA3221Configuration) -> Double { c.conversionPeriodSeconds }

    /// A configuration equal to POR (7127h, all channels on, SBOS576
    /// §8.6.2.1) cannot show a reset, so then one limit set away from its POR
    /// value is compared instead; with neither, a reset loses nothing the
    /// driver set.
    public static func resetSentinel(currentRegister: UInt64, configuration: INA3221Configuration, calibration: INAFixedScale,
                                     state: INAState) -> INAResetSentinel? {
        guard configuration.configurationWord == INA3221Register.configurationPOR,
              let limit = state.restoredWrites.first(where: { $0.word != INA3221Register.limitPOR }) else { return nil }
        return .readsOtherThan(limit.register, word: limit.word)
    }

    /// One chip for every rail at `address`, one channel monitor per rail, in the order of `rails`.
    public static func monitors<Bus: I2CBus>(on bus: Bus, at address: I2CAddress, rails: [INARailSettings],
                                             clock: @escaping () -> Double, delay: @escaping (Double) -> Void,
                                             step: INASetUpStep) throws(HALError) -> [any PowerMonitor] {
        guard let first = rails.first else { return [] }
        var channels: [INA3221ChannelID: INA3221ChannelSettings] = [:]
        for rail in rails {
            guard let id = INA3221ChannelID(rawValue: rail.channel) else {
                throw .invalidArgument("rail \(rail.rail): INA3221 channel \(rail.channel) is not 1...3")
            }
            channels[id] = INA3221ChannelSettings(railName: rail.rail, shuntMicroOhms: Double(rail.shuntMicroOhms))
        }
        let chip = try INA3221(bus: bus, address: address,
                               configuration: INA3221Configuration(channels: channels, averaging: try .matching(first.averaging),
                                                                   busConversionTime: try .matching(first.busConversionMicroseconds),
                                                                   shuntConversionTime: try .matching(first.shuntConversionMicroseconds)),
                               clock: clock, delay: delay)
        try step { () throws(HALError) in _ = try chip.identify() }
        try step { () throws(HALError) in try chip.initialize() }
        var monitors: [any PowerMonitor] = []
        for rail in rails {
            guard let id = INA3221ChannelID(rawValue: rail.channel) else { continue }
            monitors.append(try chip.channel(id))
        }
        return monitors
    }
}

/// The TI INA3221 (SBOS576): three shunt/bus channels and no current, power
/// or CAL registers, so current is shunt / R and power V × I, both host-side
/// (as Linux ina3221.c does).
///
/// A class, unlike the other INA drivers: the three per-channel monitors
/// (`channel(_:)`) share one chip and one bus.
public final class INA3221<Bus: I2CBus> {
    private var core: INAMonitor<INA3221Chip, Bus>

    public var bus: Bus { core.bus }
    public var address: I2CAddress { core.address }
    public var configuration: INA3221Configuration { core.configuration }
    public var state: INAState { core.state }
    /// Critical and warning limit words written, by register pointer, so that
    /// `initialize()` restores them after a reset sets them back to 7FF8h.
    public var limitRegisters: [UInt8: UInt16] {
        Dictionary(core.state.restoredWrites.map { ($0.register, $0.word) }, uniquingKeysWith: { _, last in last })
    }

    public init(bus: Bus, address: I2CAddress, configuration: INA3221Configuration,
                clock: @escaping () -> Double, delay: @escaping (Double) -> Void) throws(HALError) {
        core = try INAMonitor(bus: bus, address: address, configuration: configuration, clock: clock, delay: delay)
    }

    /// A `PowerMonitor` for one enabled channel.
    public func channel(_ id: INA3221ChannelID) throws(HALError) -> INA3221ChannelMonitor<Bus> {
        guard let settings = configuration.channels[id] else {
            throw .invalidArgument("INA3221 at \(address) channel \(id.rawValue) is disabled in the configuration")
        }
        return INA3221ChannelMonitor(chip: self, id: id, railName: settings.railName)
    }

    @discardableResult
    public func identify() throws(HALError) -> INAIdentity { try core.identify() }

    /// Writes the configuration, then every critical and warning limit set
    /// so far: a reset returns them to 7FF8h (SBOS576 §8.6.2), disarming the
    /// critical and warning alerts.
    public func initialize() throws(HALError) { try core.initialize() }

    public func reset() throws(HALError) { try core.reset() }

    /// Sign + 12 bits in 15:3, 40 µV per count.
    public func readShuntVolts(_ channel: INA3221ChannelID) throws(HALError) -> Double {
        Double(Int16(leftJustified: try read(INA3221Register.shuntVoltage(channel)), droppingLowBits: 3)) * INA3221Register.shuntLSBVolts
    }

    /// Sign + 12 bits in 15:3, 8 mV per count.
    public func readBusVolts(_ channel: INA3221ChannelID) throws(HALError) -> Double {
        Double(Int16(leftJustified: try read(INA3221Register.busVoltage(channel)), droppingLowBits: 3)) * INA3221Register.busLSBVolts
    }

    public func readMaskEnable() throws(HALError) -> INA3221MaskEnable {
        INA3221MaskEnable(rawValue: try read(INA3221Register.maskEnable))
    }

    public func isConversionReady() throws(HALError) -> Bool { try core.isConversionReady() }

    public func waitForConversion() throws(HALError) { try core.waitForConversion() }

    /// Critical limit: ALERT-critical when any single shunt conversion exceeds
    /// it. Written as shunt volts (amps × R) in the shunt register's format.
    public func setCriticalLimit(_ channel: INA3221ChannelID, amps: Double) throws(HALError) {
        try core.setLimit(INA3221Register.criticalLimit(channel), try limitWord(channel, amps: amps))
    }

    /// Warning limit: compared with the averaged shunt value.
    public func setWarningLimit(_ channel: INA3221ChannelID, amps: Double) throws(HALError) {
        try core.setLimit(INA3221Register.warningLimit(channel), try limitWord(channel, amps: amps))
    }

    /// Bus, current = shunt / R, power = V × I for one channel. Shunt and bus
    /// are read in two transactions, so a conversion cycle finishing in
    /// between can pair values from adjacent cycles.
    ///
    /// Every sample also checks for a chip reset (`INAMonitor`'s lifecycle):
    /// the chip is configured again, once, one conversion cycle awaited and
    /// the read repeated.
    public func sample(_ channel: INA3221ChannelID) throws(HALError) -> PowerSample {
        guard let settings = configuration.channels[channel] else {
            throw .invalidArgument("INA3221 at \(address) channel \(channel.rawValue) is disabled in the configuration")
        }
        let timestamp = core.clock()
        let raw = try core.acquire(currentRegister: { UInt64($0.shunt) }) { (chip: inout INAMonitor<INA3221Chip, Bus>) throws(HALError) in
            (shunt: try chip.readChecked(INA3221RegisterPointer(rawValue: INA3221Register.shuntVoltage(channel))),
             bus: try chip.readChecked(INA3221RegisterPointer(rawValue: INA3221Register.busVoltage(channel))))
        }
        let busVolts = Double(Int16(leftJustified: raw.bus, droppingLowBits: 3)) * INA3221Register.busLSBVolts
        let shuntVolts = Double(Int16(leftJustified: raw.shunt, droppingLowBits: 3)) * INA3221Register.shuntLSBVolts
        let currentAmps = shuntVolts / (settings.shuntMicroOhms * 1e-6)
        return PowerSample(timestampSeconds: timestamp, busVolts: busVolts, currentAmps: currentAmps,
                           powerWatts: busVolts * currentAmps)
    }

    public func read(_ pointer: UInt8) throws(HALError) -> UInt16 {
        try core.read(pointer: pointer)
    }

    public func write(_ pointer: UInt8, _ value: UInt16) throws(HALError) {
        try core.write(pointer: pointer, value)
    }

    private func limitWord(_ channel: INA3221ChannelID, amps: Double) throws(HALError) -> UInt16 {
        guard let settings = configuration.channels[channel] else {
            throw .invalidArgument("INA3221 at \(address) channel \(channel.rawValue) is disabled in the configuration")
        }
        let counts = (amps * settings.shuntMicroOhms * 1e-6 / INA3221Register.shuntLSBVolts).rounded()
        guard counts.isFinite, counts >= -4096, counts <= 4095 else {
            throw .invalidArgument("INA3221 channel \(channel.rawValue) limit \(amps) A × \(settings.shuntMicroOhms) µΩ is outside ±163.8 mV")
        }
        return UInt16(bitPattern: Int16(counts) << 3)
    }
}

/// One INA3221 channel as a `PowerMonitor`.
public struct INA3221ChannelMonitor<Bus: I2CBus>: PowerMonitor {
    public let chip: INA3221<Bus>
    public let id: INA3221ChannelID
    public let railName: String

    public mutating func sample() throws(HALError) -> PowerSample { try chip.sample(id) }
}
