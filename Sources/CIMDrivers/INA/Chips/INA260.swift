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
public typealias INA260<Bus: I2CBus> = INAMonitor<INA260Chip, Bus>

/// The INA260's table for `INAMonitor`.
public enum INA260Chip: INASingleRailChip {
    public typealias Register = INA260Register
    public typealias Configuration = INA260Configuration

    public static let partNumber = "INA260"
    public static let identification: INAIdentification? = INAIdentification(
        manufacturerRegister: INA260Register.manufacturerID.rawValue, deviceRegister: INA260Register.dieID.rawValue,
        deviceID: INA260Register.deviceID)
    public static let configurationRegister = INA260Register.configuration.rawValue
    public static let configurationPOR = INA260Register.configurationPOR
    public static let resetWrite = INARegisterWrite(INA260Register.configuration.rawValue, INAConfigurationField.reset.set(1, in: 0))
    public static let conversionReady = INAFlag(register: INA260Register.maskEnable.rawValue, mask: INAMaskEnable.conversionReadyFlag.rawValue)
    public static let sampleRegisters = INASampleRegisters(bus: .init(INA260Register.busVoltage.rawValue),
                                                           current: .init(INA260Register.current.rawValue),
                                                           power: .init(INA260Register.power.rawValue))
    /// The INA226's tables (SBOS656 §8.6.1); the 2 mΩ shunt is inside.
    public static let boardFile = INABoardFileSchema(averagingCounts: INAAveraging.allCases.map(\.sampleCount),
                                                     conversionMicroseconds: INAConversionTime.allCases.map(\.microseconds),
                                                     internalShuntMicroOhms: 2000)

    public static func railName(of c: INA260Configuration) -> String { c.railName }
    public static func calibration(for c: INA260Configuration) throws(HALError) -> INAFixedScale { INAFixedScale() }
    public static func configurationWord(_ c: INA260Configuration) -> UInt16 { c.configurationWord }

    public static func setUpWrites(_ c: INA260Configuration, calibration: INAFixedScale) -> [INARegisterWrite] {
        [INARegisterWrite(INA260Register.configuration.rawValue, c.configurationWord)]
    }

    public static func conversionPeriodSeconds(_ c: INA260Configuration) -> Double { c.conversionPeriodSeconds }

    /// Current two's complement at 1.25 mA, bus 1.25 mV, power a magnitude
    /// at 10 mW signed by the current.
    public static func reading(_ raw: INARawSample, configuration: INA260Configuration, calibration: INAFixedScale,
                               address: I2CAddress) throws(HALError) -> INAReading {
        let currentAmps = Double(Int16(truncatingIfNeeded: raw.current)) * INA260Register.currentLSBAmps
        let power = Double(UInt16(truncatingIfNeeded: raw.power)) * INA260Register.powerLSBWatts
        return INAReading(busVolts: Double(UInt16(truncatingIfNeeded: raw.bus) & 0x7FFF) * INA260Register.busLSBVolts,
                          currentAmps: currentAmps, powerWatts: currentAmps < 0 ? -power : power)
    }

    /// A configuration equal to POR cannot show a reset, so then a
    /// configured non-zero alert limit (POR 0) is compared instead;
    /// Mask/Enable is not read because that clears CVRF and a latched AFF
    /// (SBOS656 §8.6.5). With POR settings and no such limit a reset loses
    /// nothing the driver set, except a conversion-ready or zero-limit alert,
    /// which then goes unnoticed.
    public static func resetSentinel(currentRegister: UInt64, configuration: INA260Configuration, calibration: INAFixedScale,
                                     state: INAState) -> INAResetSentinel? {
        guard configuration.configurationWord == INA260Register.configurationPOR,
              let limit = state.alert?.alertLimit, limit != 0 else { return nil }
        return .readsOtherThan(INA260Register.alertLimit.rawValue, word: limit)
    }

    public static func powerResolutionWatts(_ c: INA260Configuration, calibration: INAFixedScale) -> Double {
        INA260Register.powerLSBWatts
    }

    public static func configuration(for rail: INARailSettings) throws(HALError) -> INA260Configuration {
        INA260Configuration(railName: rail.rail, averaging: try .matching(rail.averaging),
                            busConversionTime: try .matching(rail.busConversionMicroseconds),
                            currentConversionTime: try .matching(rail.shuntConversionMicroseconds))
    }
}

extension INAMonitor where Chip == INA260Chip {
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
        try arm(INAAlertRegisters(maskEnable: mask.rawValue, alertLimit: limit),
                maskRegister: INA260Register.maskEnable.rawValue, limitRegister: INA260Register.alertLimit.rawValue)
    }
}
