import CIMHAL

/// INA260 register pointers (SBOS656 §8.6): no shunt or calibration
/// register — the 2 mΩ shunt is inside the package.
public enum INA260Register: UInt8, CaseIterable, Sendable {
    case configuration = 0x00, current = 0x01, busVoltage = 0x02, power = 0x03
    case maskEnable = 0x06, alertLimit = 0x07, manufacturerID = 0xFE, dieID = 0xFF

    /// AVG 1, 1.1 ms both, continuous; bits 14:12 read 110b.
    public static let configurationPOR: UInt16 = 0x6127
    /// DID 0x227 in bits 15:4; the revision in 3:0 may vary.
    public static let deviceID: UInt16 = 0x227

    public static let currentLSBAmps = 1.25e-3
    public static let busLSBVolts = 1.25e-3
    public static let powerLSBWatts = 10e-3
}

public struct INA260Configuration: Sendable, Hashable {
    public var railName: String
    public var averaging: INAAveraging
    public var busConversionTime: INAConversionTime
    public var currentConversionTime: INAConversionTime
    public var mode: INAOperatingMode

    public init(railName: String, averaging: INAAveraging = .samples1, busConversionTime: INAConversionTime = .us1100,
                currentConversionTime: INAConversionTime = .us1100, mode: INAOperatingMode = .shuntAndBusContinuous) {
        self.railName = railName
        self.averaging = averaging
        self.busConversionTime = busConversionTime
        self.currentConversionTime = currentConversionTime
        self.mode = mode
    }

    public var configurationWord: UInt16 {
        var word = INA260Register.configurationPOR & 0x7000
        word = INAConfigurationField.averaging.set(averaging.rawValue, in: word)
        word = INAConfigurationField.busConversionTime.set(busConversionTime.rawValue, in: word)
        word = INAConfigurationField.shuntConversionTime.set(currentConversionTime.rawValue, in: word)
        return INAConfigurationField.mode.set(mode.rawValue, in: word)
    }

    public var conversionPeriodSeconds: Double {
        Double(averaging.sampleCount) * ((mode.measuresShunt ? currentConversionTime.seconds : 0)
            + (mode.measuresBus ? busConversionTime.seconds : 0))
    }
}

/// The TI INA260 (SBOS656): fixed LSBs, so no calibration. With no CAL to
/// lose, a reset is detected from the configuration register instead, read
/// at every sample: after a reset it reads POR (0x6127) rather than what the
/// driver wrote, whatever the current (SBOS656 §8.6.1).
public struct INA260<Bus: I2CBus>: PowerMonitor {
    public private(set) var bus: Bus
    public let address: I2CAddress
    public let configuration: INA260Configuration
    public private(set) var state = INAState()
    private let clock: () -> Double
    private let delay: (Double) -> Void

    public init(bus: Bus, address: I2CAddress, configuration: INA260Configuration,
                clock: @escaping () -> Double, delay: @escaping (Double) -> Void) {
        self.bus = bus
        self.address = address
        self.configuration = configuration
        self.clock = clock
        self.delay = delay
    }

    public var railName: String { configuration.railName }

    public consuming func release() -> Bus { bus }

    @discardableResult
    public mutating func identify() throws(HALError) -> INAIdentity {
        let identity = INAIdentity(manufacturerID: try readChecked(.manufacturerID), dieID: try readChecked(.dieID))
        guard identity.manufacturerID == inaManufacturerIDTexasInstruments, identity.dieID >> 4 == INA260Register.deviceID else {
            throw .unsupported("device at \(address) reports manufacturer \(HALError.hex16(identity.manufacturerID)), die \(HALError.hex16(identity.dieID)); an INA260 reports 0x5449, 0x227x")
        }
        return identity
    }

    /// Writes the configuration, then the last configured alert, if any: a
    /// reset leaves Mask/Enable and the limit at 0 (SBOS656 §8.6.5–8.6.6).
    /// The limit goes first so the function is never armed against a stale limit.
    public mutating func initialize() throws(HALError) {
        try write(.configuration, configuration.configurationWord)
        if let alert = state.alert {
            if let limit = alert.alertLimit { try write(.alertLimit, limit) }
            try write(.maskEnable, alert.maskEnable)
        }
    }

    public mutating func reset() throws(HALError) {
        try write(.configuration, INAConfigurationField.reset.set(1, in: 0))
    }

    /// Two's complement, 1.25 mA per count.
    public mutating func readCurrentAmps() throws(HALError) -> Double {
        Double(Int16(bitPattern: try read(.current))) * INA260Register.currentLSBAmps
    }

    public mutating func readBusVolts() throws(HALError) -> Double {
        Double(try read(.busVoltage) & 0x7FFF) * INA260Register.busLSBVolts
    }

    /// 10 mW per count, a magnitude.
    public mutating func readPowerMagnitudeWatts() throws(HALError) -> Double {
        Double(try read(.power)) * INA260Register.powerLSBWatts
    }

    public mutating func readMaskEnable() throws(HALError) -> INAMaskEnable {
        INAMaskEnable(rawValue: try read(.maskEnable))
    }

    public mutating func isConversionReady() throws(HALError) -> Bool {
        try readMaskEnable().contains(.conversionReadyFlag)
    }

    public mutating func waitForConversion() throws(HALError) {
        try pollUntilReady(periodSeconds: configuration.conversionPeriodSeconds, delay: delay,
                           operation: "INA260 at \(address) conversion") { () throws(HALError) -> Bool in
            try isConversionReady()
        }
    }

    /// One reading of the rail: bus, current and signed power.
    ///
    /// The three registers are read in three separate transactions, so a
    /// conversion that completes in between can make them come from adjacent
    /// conversions: with a changing load, power need not equal bus × current.
    ///
    /// Every sample reads the configuration register too (see `chipWasReset`);
    /// after a reset the chip is set up again, one conversion awaited and the
    /// read retried once.
    public mutating func sample() throws(HALError) -> PowerSample {
        let timestamp = clock()
        var raw = try readSampleRegisters()
        if try chipWasReset() {
            try initialize()
            state.reinitializations += 1
            try waitForConversion()
            raw = try readSampleRegisters()
        }
        let currentAmps = Double(Int16(bitPattern: raw.current)) * INA260Register.currentLSBAmps
        let power = Double(raw.power) * INA260Register.powerLSBWatts
        return PowerSample(timestampSeconds: timestamp, busVolts: Double(raw.bus & 0x7FFF) * INA260Register.busLSBVolts,
                           currentAmps: currentAmps, powerWatts: currentAmps < 0 ? -power : power)
    }

    /// Bits 15/14 compare the current register (OCL/UCL) on the INA260; a shunt
    /// voltage limit is converted through the internal 2 mΩ. Remembered in
    /// `state.alert` so that `initialize()` restores it after a reset.
    public mutating func configureAlert(_ function: INAAlertFunction, latch: Bool = false,
                                        activeHigh: Bool = false) throws(HALError) {
        var mask: INAMaskEnable = []
        if latch { mask.insert(.latchEnable) }
        if activeHigh { mask.insert(.alertActiveHigh) }
        let lsb = INA260Register.currentLSBAmps
        let limit: UInt16?
        switch function {
        case let .overCurrentAmps(amps):
            mask.insert(.shuntOverLimit)
            limit = try signedCounts(amps, lsb: lsb, what: "current limit amps")
        case let .underCurrentAmps(amps):
            mask.insert(.shuntUnderLimit)
            limit = try signedCounts(amps, lsb: lsb, what: "current limit amps")
        case let .shuntOverVolts(volts):
            mask.insert(.shuntOverLimit)
            limit = try signedCounts(volts / 0.002, lsb: lsb, what: "shunt limit volts / 2 mΩ")
        case let .shuntUnderVolts(volts):
            mask.insert(.shuntUnderLimit)
            limit = try signedCounts(volts / 0.002, lsb: lsb, what: "shunt limit volts / 2 mΩ")
        case let .busOverVolts(volts):
            mask.insert(.busOverLimit)
            limit = try unsignedCounts(volts, lsb: INA260Register.busLSBVolts, maximum: 0x7FFF, what: "bus limit volts")
        case let .busUnderVolts(volts):
            mask.insert(.busUnderLimit)
            limit = try unsignedCounts(volts, lsb: INA260Register.busLSBVolts, maximum: 0x7FFF, what: "bus limit volts")
        case let .powerOverWatts(watts):
            mask.insert(.powerOverLimit)
            limit = try unsignedCounts(watts, lsb: INA260Register.powerLSBWatts, maximum: 0xFFFF, what: "power limit watts")
        case .conversionReady:
            mask.insert(.conversionReadyAlert)
            limit = nil
        }
        if let limit { try write(.alertLimit, limit) }
        try write(.maskEnable, mask.rawValue)
        state.alert = INAAlertRegisters(maskEnable: mask.rawValue, alertLimit: limit)
    }

    /// Whether the chip lost what `initialize()` wrote. The configuration is
    /// compared first. A configuration equal to POR cannot show a reset, so
    /// then a configured non-zero alert limit (POR 0) is compared instead;
    /// Mask/Enable is not read because that clears CVRF and a latched AFF
    /// (SBOS656 §8.6.5). With POR settings and no such limit a reset loses
    /// nothing the driver set, except a conversion-ready or zero-limit alert,
    /// which then goes unnoticed.
    private mutating func chipWasReset() throws(HALError) -> Bool {
        if try readChecked(.configuration) != configuration.configurationWord { return true }
        guard configuration.configurationWord == INA260Register.configurationPOR,
              let limit = state.alert?.alertLimit, limit != 0 else { return false }
        return try read(.alertLimit) != limit
    }

    public mutating func read(_ register: INA260Register) throws(HALError) -> UInt16 {
        try bus.readRegister16(register.rawValue, at: address)
    }

    /// `read`, repeated until two reads agree: for what a sample is made of.
    mutating func readChecked(_ register: INA260Register) throws(HALError) -> UInt16 {
        try bus.readRegister16Agreeing(register.rawValue, at: address)
    }

    public mutating func write(_ register: INA260Register, _ value: UInt16) throws(HALError) {
        try bus.writeRegister16(register.rawValue, value, at: address)
    }

    private mutating func readSampleRegisters() throws(HALError) -> (bus: UInt16, current: UInt16, power: UInt16) {
        (try readChecked(.busVoltage), try readChecked(.current), try readChecked(.power))
    }
}
