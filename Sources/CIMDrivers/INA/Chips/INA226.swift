import CIMHAL

/// INA226 register pointers (SBOS547 Table 7-1).
public enum INA226Register: UInt8, CaseIterable, Sendable {
    case configuration = 0x00, shuntVoltage = 0x01, busVoltage = 0x02, power = 0x03
    case current = 0x04, calibration = 0x05, maskEnable = 0x06, alertLimit = 0x07
    case manufacturerID = 0xFE, dieID = 0xFF

    /// The POR value of the configuration register: AVG 1, 1.1 ms both, continuous
    /// shunt and bus; bits 14:12 read 100b.
    public static let configurationPOR: UInt16 = 0x4127
    /// The die ID of revision 0. Only bits 15:4 (DID, `deviceID`) identify the
    /// chip; bits 3:0 are the die revision (RID) and may differ (SBOS547 §7.6.10).
    public static let dieIDExpected: UInt16 = 0x2260
    /// DID 0x226 in bits 15:4 of the die-ID register.
    public static let deviceID: UInt16 = 0x226
}

/// Read-only settings of one INA226, fixed by the board (Zephyr's `config`).
public struct INA226Configuration: Sendable, Hashable {
    public var railName: String
    public var shuntMicroOhms: Double
    public var maxExpectedCurrentAmps: Double
    /// nil: Imax / 2^15, the finest the current register allows.
    public var currentLSBAmps: Double?
    public var averaging: INAAveraging
    public var busConversionTime: INAConversionTime
    public var shuntConversionTime: INAConversionTime
    public var mode: INAOperatingMode

    /// Defaults equal the chip's POR settings.
    public init(railName: String, shuntMicroOhms: Double, maxExpectedCurrentAmps: Double,
                currentLSBAmps: Double? = nil, averaging: INAAveraging = .samples1,
                busConversionTime: INAConversionTime = .us1100, shuntConversionTime: INAConversionTime = .us1100,
                mode: INAOperatingMode = .shuntAndBusContinuous) {
        self.railName = railName
        self.shuntMicroOhms = shuntMicroOhms
        self.maxExpectedCurrentAmps = maxExpectedCurrentAmps
        self.currentLSBAmps = currentLSBAmps
        self.averaging = averaging
        self.busConversionTime = busConversionTime
        self.shuntConversionTime = shuntConversionTime
        self.mode = mode
    }

    /// The configuration register word (RST clear; reserved bits 14:12 as at POR).
    public var configurationWord: UInt16 {
        var word = INA226Register.configurationPOR & 0x7000
        word = INAConfigurationField.averaging.set(averaging.rawValue, in: word)
        word = INAConfigurationField.busConversionTime.set(busConversionTime.rawValue, in: word)
        word = INAConfigurationField.shuntConversionTime.set(shuntConversionTime.rawValue, in: word)
        return INAConfigurationField.mode.set(mode.rawValue, in: word)
    }

    /// Time from a conversion start to CVRF: each enabled measurement is
    /// averaged AVG times (SBOS547 §7.3.1).
    public var conversionPeriodSeconds: Double {
        let perSample = (mode.measuresShunt ? shuntConversionTime.seconds : 0)
            + (mode.measuresBus ? busConversionTime.seconds : 0)
        return Double(averaging.sampleCount) * perSample
    }
}

/// The TI INA226 current/power monitor (SBOS547), generic over the bus it owns.
///
/// Reads current and power from the chip's own registers (it multiplies with
/// CAL), detects a chip reset at every sample (the configuration no longer
/// reading back as written, or, as Linux ina2xx.c does, a zero current with
/// CAL == 0 → write config, CAL and the alert again), and reports signed
/// power as sign(I) × P because the power register is a magnitude.
public typealias INA226<Bus: I2CBus> = INAMonitor<INA226Chip, Bus>

/// The INA226's table for `INAMonitor`.
public enum INA226Chip: INASingleRailChip {
    public typealias Register = INA226Register
    public typealias Configuration = INA226Configuration

    public static let partNumber = "INA226"
    public static let identification: INAIdentification? = INAIdentification(
        manufacturerRegister: INA226Register.manufacturerID.rawValue, deviceRegister: INA226Register.dieID.rawValue,
        deviceID: INA226Register.deviceID)
    public static let configurationRegister = INA226Register.configuration.rawValue
    public static let configurationPOR = INA226Register.configurationPOR
    public static let resetWrite = INARegisterWrite(INA226Register.configuration.rawValue, INAConfigurationField.reset.set(1, in: 0))
    /// CVRF in Mask/Enable; reading it clears the flag (and a latched AFF).
    public static let conversionReady = INAFlag(register: INA226Register.maskEnable.rawValue, mask: INAMaskEnable.conversionReadyFlag.rawValue)
    public static let sampleRegisters = INASampleRegisters(bus: .init(INA226Register.busVoltage.rawValue),
                                                           current: .init(INA226Register.current.rawValue),
                                                           power: .init(INA226Register.power.rawValue))
    /// SBOS547 Tables 7-3 to 7-5.
    public static let boardFile = INABoardFileSchema(averagingCounts: INAAveraging.allCases.map(\.sampleCount),
                                                     conversionMicroseconds: INAConversionTime.allCases.map(\.microseconds))

    public static func railName(of c: INA226Configuration) -> String { c.railName }

    public static func calibration(for c: INA226Configuration) throws(HALError) -> INACalibration {
        let calibration = try INACalibration.ina226(shuntMicroOhms: c.shuntMicroOhms, maxExpectedCurrentAmps: c.maxExpectedCurrentAmps,
                                                    currentLSBAmps: c.currentLSBAmps)
        // The shunt ADC clips at ±81.92 mV (SBOS547 §7.6.2): beyond that the
        // maximum current cannot be measured at all.
        let fullScaleVolts = c.maxExpectedCurrentAmps * c.shuntMicroOhms * 1e-6
        guard fullScaleVolts <= 0.08192 else {
            throw .invalidArgument("INA226 shunt voltage at maxExpectedCurrentAmps is \(fullScaleVolts * 1e3) mV, above the 81.92 mV full scale; lower shuntMicroOhms or maxExpectedCurrentAmps")
        }
        return calibration
    }

    public static func configurationWord(_ c: INA226Configuration) -> UInt16 { c.configurationWord }

    /// Configuration then CAL: a configuration write restarts the conversion.
    public static func setUpWrites(_ c: INA226Configuration, calibration: INACalibration) -> [INARegisterWrite] {
        [INARegisterWrite(INA226Register.configuration.rawValue, c.configurationWord),
         INARegisterWrite(INA226Register.calibration.rawValue, calibration.register)]
    }

    public static func conversionPeriodSeconds(_ c: INA226Configuration) -> Double { c.conversionPeriodSeconds }

    /// Bus 1.25 mV per count (bit 15 always 0; §7.6.3), current × Current_LSB
    /// (§7.6.5), power a magnitude of 25 × Current_LSB per count (§7.6.4)
    /// signed by the current.
    public static func reading(_ raw: INARawSample, configuration: INA226Configuration, calibration: INACalibration,
                               address: I2CAddress) throws(HALError) -> INAReading {
        let currentAmps = Double(Int16(truncatingIfNeeded: raw.current)) * calibration.currentLSBAmps
        let powerMagnitude = Double(UInt16(truncatingIfNeeded: raw.power)) * calibration.powerLSBWatts
        return INAReading(busVolts: Double(UInt16(truncatingIfNeeded: raw.bus) & 0x7FFF) * 1.25e-3,
                          currentAmps: currentAmps, powerWatts: currentAmps < 0 ? -powerMagnitude : powerMagnitude)
    }

    /// A configuration equal to POR cannot show a reset, so a zero current
    /// is also checked against CAL (CAL = 0 forces the current to 0, §7.5.1).
    public static func resetSentinel(currentRegister: UInt64, configuration: INA226Configuration, calibration: INACalibration,
                                     state: INAState) -> INAResetSentinel? {
        currentRegister == 0 ? .readsZero(INA226Register.calibration.rawValue) : nil
    }

    public static func powerResolutionWatts(_ c: INA226Configuration, calibration: INACalibration) -> Double {
        calibration.powerLSBWatts
    }

    public static func configuration(for rail: INARailSettings) throws(HALError) -> INA226Configuration {
        INA226Configuration(railName: rail.rail, shuntMicroOhms: Double(rail.shuntMicroOhms), maxExpectedCurrentAmps: rail.maxCurrentAmps,
                            averaging: try .matching(rail.averaging), busConversionTime: try .matching(rail.busConversionMicroseconds),
                            shuntConversionTime: try .matching(rail.shuntConversionMicroseconds))
    }
}

extension INAMonitor where Chip == INA226Chip {
    /// Shunt voltage, two's complement, 2.5 µV per count (SBOS547 §7.6.2).
    public mutating func readShuntVolts() throws(HALError) -> Double {
        Double(Int16(bitPattern: try read(.shuntVoltage))) * 2.5e-6
    }

    /// Bus voltage, unsigned 15-bit, 1.25 mV per count (bit 15 always 0; §7.6.3).
    public mutating func readBusVolts() throws(HALError) -> Double {
        Double(try read(.busVoltage) & 0x7FFF) * 1.25e-3
    }

    /// Current register, two's complement × Current_LSB (§7.6.5).
    public mutating func readCurrentAmps() throws(HALError) -> Double {
        Double(Int16(bitPattern: try read(.current))) * calibration.currentLSBAmps
    }

    /// Power register: a magnitude, 25 × Current_LSB per count (§7.6.4).
    public mutating func readPowerMagnitudeWatts() throws(HALError) -> Double {
        Double(try read(.power)) * calibration.powerLSBWatts
    }

    /// Reading Mask/Enable clears CVRF (and a latched AFF).
    public mutating func readMaskEnable() throws(HALError) -> INAMaskEnable {
        INAMaskEnable(rawValue: try read(.maskEnable))
    }

// MARK: Alerts

    /// Selects one alert function and writes its limit (SBOS547 §7.6.7–7.6.8).
    /// The limit is rounded to the compared register's LSB and must fit it.
    /// Remembered in `state.alert` so that `initialize()` restores it after a reset.
    public mutating func configureAlert(_ function: INAAlertFunction, latch: Bool = false,
                                        activeHigh: Bool = false) throws(HALError) {
        var mask: INAMaskEnable = []
        if latch { mask.insert(.latchEnable) }
        if activeHigh { mask.insert(.alertActiveHigh) }
        let limit: UInt16?
        switch function {
        case let .shuntOverVolts(volts):
            mask.insert(.shuntOverLimit)
            limit = try signedCounts(volts, lsb: 2.5e-6, what: "shunt limit volts")
        case let .shuntUnderVolts(volts):
            mask.insert(.shuntUnderLimit)
            limit = try signedCounts(volts, lsb: 2.5e-6, what: "shunt limit volts")
        case let .busOverVolts(volts):
            mask.insert(.busOverLimit)
            limit = try unsignedCounts(volts, lsb: 1.25e-3, maximum: 0x7FFF, what: "bus limit volts")
        case let .busUnderVolts(volts):
            mask.insert(.busUnderLimit)
            limit = try unsignedCounts(volts, lsb: 1.25e-3, maximum: 0x7FFF, what: "bus limit volts")
        case let .powerOverWatts(watts):
            mask.insert(.powerOverLimit)
            limit = try unsignedCounts(watts, lsb: calibration.powerLSBWatts, maximum: 0xFFFF, what: "power limit watts")
        case let .overCurrentAmps(amps), let .underCurrentAmps(amps):
            // The INA226 compares the shunt voltage, so a current limit is I × R.
            let volts = amps * configuration.shuntMicroOhms * 1e-6
            if case .overCurrentAmps = function { mask.insert(.shuntOverLimit) } else { mask.insert(.shuntUnderLimit) }
            limit = try signedCounts(volts, lsb: 2.5e-6, what: "current limit amps × shunt")
        case .conversionReady:
            mask.insert(.conversionReadyAlert)
            limit = nil
        }
        try arm(INAAlertRegisters(maskEnable: mask.rawValue, alertLimit: limit),
                maskRegister: INA226Register.maskEnable.rawValue, limitRegister: INA226Register.alertLimit.rawValue)
    }
}
