import CIMHAL

/// INA228 register pointers (SLYS021 Table 7-3). Results are 24 bits wide
/// (a 20-bit value in bits 23:4), the accumulators 40; the ID registers sit
/// at 3Eh/3Fh, not FEh/FFh as on the INA226 generation.
public enum INA228Register: UInt8, CaseIterable, Sendable {
    case configuration = 0x00, adcConfiguration = 0x01, shuntCalibration = 0x02, shuntTemperatureCoefficient = 0x03
    case shuntVoltage = 0x04, busVoltage = 0x05, dieTemperature = 0x06, current = 0x07, power = 0x08
    case energy = 0x09, charge = 0x0A, diagnosticAlert = 0x0B
    case shuntOverLimit = 0x0C, shuntUnderLimit = 0x0D, busOverLimit = 0x0E, busUnderLimit = 0x0F
    case temperatureLimit = 0x10, powerLimit = 0x11, manufacturerID = 0x3E, deviceID = 0x3F

    /// Continuous bus, shunt and temperature at 1052 µs each, no averaging.
    public static let adcConfigurationPOR: UInt16 = 0xFB68
    public static let shuntCalibrationPOR: UInt16 = 0x1000
    /// DIEID 228h in bits 15:4 of DEVICE_ID; bits 3:0 are the revision (1 on parts seen).
    public static let dieID: UInt16 = 0x228

    /// CONFIG bits (SLYS021 §7.6.1.1).
    public static let reset = RegisterField(bits: 15...15)
    public static let adcRange = RegisterField(bits: 4...4)
    /// ADC_CONFIG fields (§7.6.1.2).
    public static let mode = RegisterField(bits: 12...15)
    public static let busConversionTime = RegisterField(bits: 9...11)
    public static let shuntConversionTime = RegisterField(bits: 6...8)
    public static let temperatureConversionTime = RegisterField(bits: 3...5)
    public static let averaging = RegisterField(bits: 0...2)
    /// CNVRF in DIAG_ALRT: a conversion (with its averaging) completed.
    public static let conversionReadyFlag: UInt16 = 1 << 1
    /// MATHOF in DIAG_ALRT: an arithmetic result overflowed.
    public static let mathOverflowFlag: UInt16 = 1 << 9

    /// 195.3125 µV per count of the 20-bit bus value (SLYS021 Table 8-1).
    public static let busLSBVolts = 195.3125e-6
    /// 7.8125 m°C per count of the 16-bit die temperature.
    public static let temperatureLSBCelsius = 7.8125e-3
}

/// ADCRANGE: the shunt full scale and the LSB that goes with it (SLYS021 Table 8-1).
public enum INA228ShuntRange: UInt16, CaseIterable, Sendable {
    /// ±163.84 mV, 312.5 nV per count.
    case millivolts163 = 0
    /// ±40.96 mV, 78.125 nV per count; SHUNT_CAL is four times larger.
    case millivolts41 = 1

    public var fullScaleVolts: Double { self == .millivolts163 ? 0.16384 : 0.04096 }
    public var lsbVolts: Double { self == .millivolts163 ? 312.5e-9 : 78.125e-9 }
}

/// VBUSCT / VSHCT / VTCT codes: one conversion's time (SLYS021 §7.6.1.2).
public enum INA228ConversionTime: UInt16, CaseIterable, Sendable {
    case us50 = 0, us84, us150, us280, us540, us1052, us2074, us4120

    public var microseconds: Int { [50, 84, 150, 280, 540, 1052, 2074, 4120][Int(rawValue)] }
    public var seconds: Double { Double(microseconds) * 1e-6 }

    public static func matching(_ microseconds: Int) throws(HALError) -> INA228ConversionTime {
        guard let code = allCases.first(where: { $0.microseconds == microseconds }) else {
            throw .invalidArgument("INA228 conversion time \(microseconds) µs is not one of \(allCases.map(\.microseconds))")
        }
        return code
    }
}

/// MODE: bit 15 continuous, 14 temperature, 13 shunt, 12 bus; 0h and 8h shut down.
public struct INA228Mode: RawRepresentable, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue & 0xF }

    /// Continuous bus, shunt and temperature: the POR mode.
    public static let continuousAll = INA228Mode(rawValue: 0xF)
    public static let continuousShuntAndBus = INA228Mode(rawValue: 0xB)

    public var measuresBus: Bool { rawValue & 0b0001 != 0 }
    public var measuresShunt: Bool { rawValue & 0b0010 != 0 }
    public var measuresTemperature: Bool { rawValue & 0b0100 != 0 }
    public var isContinuous: Bool { rawValue & 0b1000 != 0 && rawValue != 8 }
}

/// Read-only settings of one INA228, fixed by the board.
public struct INA228Configuration: Sendable, Hashable {
    public var railName: String
    public var shuntMicroOhms: Double
    public var maxExpectedCurrentAmps: Double
    /// nil: Imax / 2^19, the finest the 20-bit current register allows.
    public var currentLSBAmps: Double?
    public var shuntRange: INA228ShuntRange
    public var averaging: INAAveraging
    public var busConversionTime: INA228ConversionTime
    public var shuntConversionTime: INA228ConversionTime
    public var temperatureConversionTime: INA228ConversionTime
    public var mode: INA228Mode

    /// Defaults equal the chip's POR settings.
    public init(railName: String, shuntMicroOhms: Double, maxExpectedCurrentAmps: Double, currentLSBAmps: Double? = nil,
                shuntRange: INA228ShuntRange = .millivolts163, averaging: INAAveraging = .samples1,
                busConversionTime: INA228ConversionTime = .us1052, shuntConversionTime: INA228ConversionTime = .us1052,
                temperatureConversionTime: INA228ConversionTime = .us1052, mode: INA228Mode = .continuousAll) {
        self.railName = railName
        self.shuntMicroOhms = shuntMicroOhms
        self.maxExpectedCurrentAmps = maxExpectedCurrentAmps
        self.currentLSBAmps = currentLSBAmps
        self.shuntRange = shuntRange
        self.averaging = averaging
        self.busConversionTime = busConversionTime
        self.shuntConversionTime = shuntConversionTime
        self.temperatureConversionTime = temperatureConversionTime
        self.mode = mode
    }

    /// CONFIG: only ADCRANGE is set (no conversion delay, no tempco compensation).
    public var configurationWord: UInt16 { INA228Register.adcRange.set(shuntRange.rawValue, in: 0) }

    /// ADC_CONFIG.
    public var adcConfigurationWord: UInt16 {
        var word = INA228Register.mode.set(mode.rawValue, in: 0)
        word = INA228Register.busConversionTime.set(busConversionTime.rawValue, in: word)
        word = INA228Register.shuntConversionTime.set(shuntConversionTime.rawValue, in: word)
        word = INA228Register.temperatureConversionTime.set(temperatureConversionTime.rawValue, in: word)
        return INA228Register.averaging.set(averaging.rawValue, in: word)
    }

    /// Each enabled measurement, AVG times.
    public var conversionPeriodSeconds: Double {
        Double(averaging.sampleCount) * ((mode.measuresBus ? busConversionTime.seconds : 0)
            + (mode.measuresShunt ? shuntConversionTime.seconds : 0)
            + (mode.measuresTemperature ? temperatureConversionTime.seconds : 0))
    }
}

/// SHUNT_CAL and the LSBs it implies (SLYS021 §8.1.2; TI SBOA511A eq. 6):
/// SHUNT_CAL = 13107.2·10⁶ × CURRENT_LSB × R (×4 at ADCRANGE 1), 15 bits;
/// Power_LSB = 3.2 × CURRENT_LSB.
public struct INA228Calibration: Sendable, Hashable {
    public let register: UInt16
    /// The LSB the written SHUNT_CAL gives: SHUNT_CAL / (13107.2·10⁶ × R (×4)).
    public let currentLSBAmps: Double
    public var powerLSBWatts: Double { 3.2 * currentLSBAmps }

    public static let coefficient = 13107.2e6

    public init(_ c: INA228Configuration) throws(HALError) {
        guard c.shuntMicroOhms.isFinite, c.shuntMicroOhms > 0 else {
            throw .invalidArgument("INA228 shuntMicroOhms \(c.shuntMicroOhms) must be a positive number")
        }
        guard c.maxExpectedCurrentAmps.isFinite, c.maxExpectedCurrentAmps > 0 else {
            throw .invalidArgument("INA228 maxExpectedCurrentAmps \(c.maxExpectedCurrentAmps) must be a positive number")
        }
        let ohms = c.shuntMicroOhms * 1e-6
        let fullScale = c.maxExpectedCurrentAmps * ohms
        guard fullScale <= c.shuntRange.fullScaleVolts else {
            throw .invalidArgument("INA228 shunt voltage at maxExpectedCurrentAmps is \(fullScale * 1e3) mV, above the \(c.shuntRange.fullScaleVolts * 1e3) mV full scale of its ADC range; lower shuntMicroOhms or maxExpectedCurrentAmps")
        }
        let finest = c.maxExpectedCurrentAmps / 524_288
        let lsb = c.currentLSBAmps ?? finest
        guard lsb.isFinite, lsb >= finest * (1 - 1e-12) else {
            throw .invalidArgument("INA228 currentLSBAmps \(lsb) is finer than maxExpectedCurrentAmps / 2^19 = \(finest): the current register would overflow")
        }
        let scale = Self.coefficient * ohms * (c.shuntRange == .millivolts41 ? 4 : 1)
        // The nudge keeps exact decimal cases (25000 × 10 A × 16.2 mΩ = 4050) from truncating to one less.
        let exact = (lsb * scale * (1 + 1e-12)).rounded(.towardZero)
        guard exact <= 0x7FFF else {
            throw .invalidArgument("INA228 SHUNT_CAL \(Int(exact)) exceeds its 15 bits (0x7FFF): raise shuntMicroOhms or lower maxExpectedCurrentAmps (or currentLSBAmps)")
        }
        guard exact >= 1 else {
            throw .invalidArgument("INA228 SHUNT_CAL rounds to 0: raise currentLSBAmps or shuntMicroOhms")
        }
        register = UInt16(exact)
        currentLSBAmps = Double(register) / scale
    }
}

/// The TI INA228 (SLYS021): 20-bit shunt, bus and current, 24-bit power,
/// computed on chip with SHUNT_CAL. Same policy as `INA226`: chip-computed
/// current and power, signed power from the current's sign, reset detection
/// at every sample.
public typealias INA228<Bus: I2CBus> = INAMonitor<INA228Chip, Bus>

/// The INA228's table for `INAMonitor`.
public enum INA228Chip: INASingleRailChip {
    public typealias Register = INA228Register
    public typealias Configuration = INA228Configuration

    public static let partNumber = "INA228"
    public static let identification: INAIdentification? = INAIdentification(
        manufacturerRegister: INA228Register.manufacturerID.rawValue, deviceRegister: INA228Register.deviceID.rawValue,
        deviceID: INA228Register.dieID)
    /// ADC_CONFIG holds what a reset loses most visibly (mode, times, averaging).
    public static let configurationRegister = INA228Register.adcConfiguration.rawValue
    public static let configurationPOR = INA228Register.adcConfigurationPOR
    public static let resetWrite = INARegisterWrite(INA228Register.configuration.rawValue, INA228Register.reset.set(1, in: 0))
    public static let conversionReady = INAFlag(register: INA228Register.diagnosticAlert.rawValue, mask: INA228Register.conversionReadyFlag)
    public static let sampleRegisters = INASampleRegisters(bus: .init(INA228Register.busVoltage.rawValue, bytes: 3),
                                                           current: .init(INA228Register.current.rawValue, bytes: 3),
                                                           power: .init(INA228Register.power.rawValue, bytes: 3))
    /// AVG as the INA226's; its own conversion times (SLYS021 §7.6.1.2).
    public static let boardFile = INABoardFileSchema(averagingCounts: INAAveraging.allCases.map(\.sampleCount),
                                                     conversionMicroseconds: INA228ConversionTime.allCases.map(\.microseconds))

    public static func railName(of c: INA228Configuration) -> String { c.railName }
    public static func calibration(for c: INA228Configuration) throws(HALError) -> INA228Calibration { try INA228Calibration(c) }
    public static func configurationWord(_ c: INA228Configuration) -> UInt16 { c.adcConfigurationWord }

    /// CONFIG (ADC range), ADC_CONFIG (restarts the conversion), SHUNT_CAL.
    public static func setUpWrites(_ c: INA228Configuration, calibration: INA228Calibration) -> [INARegisterWrite] {
        [INARegisterWrite(INA228Register.configuration.rawValue, c.configurationWord),
         INARegisterWrite(INA228Register.adcConfiguration.rawValue, c.adcConfigurationWord),
         INARegisterWrite(INA228Register.shuntCalibration.rawValue, calibration.register)]
    }

    public static func conversionPeriodSeconds(_ c: INA228Configuration) -> Double { c.conversionPeriodSeconds }

    /// Bus and current are 20-bit values in bits 23:4 (current two's
    /// complement), power 24 bits unsigned at 3.2 × CURRENT_LSB.
    public static func reading(_ raw: INARawSample, configuration: INA228Configuration, calibration: INA228Calibration,
                               address: I2CAddress) throws(HALError) -> INAReading {
        let currentAmps = Double(signed20(raw.current)) * calibration.currentLSBAmps
        let power = Double(raw.power & 0xFF_FFFF) * calibration.powerLSBWatts
        return INAReading(busVolts: Double((raw.bus & 0xFF_FFFF) >> 4) * INA228Register.busLSBVolts,
                          currentAmps: currentAmps, powerWatts: currentAmps < 0 ? -power : power)
    }

    /// With ADC_CONFIG at POR a reset cannot show there; SHUNT_CAL (POR
    /// 1000h) is compared instead, unless the driver wrote 1000h itself.
    public static func resetSentinel(currentRegister: UInt64, configuration: INA228Configuration, calibration: INA228Calibration,
                                     state: INAState) -> INAResetSentinel? {
        guard configuration.adcConfigurationWord == INA228Register.adcConfigurationPOR,
              calibration.register != INA228Register.shuntCalibrationPOR else { return nil }
        return .readsOtherThan(INA228Register.shuntCalibration.rawValue, word: calibration.register)
    }

    public static func powerResolutionWatts(_ c: INA228Configuration, calibration: INA228Calibration) -> Double {
        calibration.powerLSBWatts
    }

    /// Shunt and bus only (no temperature), at the board file's times; the
    /// finer ADC range when Imax × R fits in it.
    public static func configuration(for rail: INARailSettings) throws(HALError) -> INA228Configuration {
        let shuntVolts = rail.maxCurrentAmps * Double(rail.shuntMicroOhms) * 1e-6
        return INA228Configuration(railName: rail.rail, shuntMicroOhms: Double(rail.shuntMicroOhms), maxExpectedCurrentAmps: rail.maxCurrentAmps,
                                   shuntRange: shuntVolts <= INA228ShuntRange.millivolts41.fullScaleVolts ? .millivolts41 : .millivolts163,
                                   averaging: try .matching(rail.averaging),
                                   busConversionTime: try .matching(rail.busConversionMicroseconds),
                                   shuntConversionTime: try .matching(rail.shuntConversionMicroseconds),
                                   mode: .continuousShuntAndBus)
    }

    /// A 20-bit two's-complement value in bits 23:4 of a 24-bit register.
    static func signed20(_ raw: UInt64) -> Int32 {
        Int32(bitPattern: UInt32(truncatingIfNeeded: raw << 8)) >> 12
    }
}

extension INAMonitor where Chip == INA228Chip {
    /// Shunt voltage: 20 bits at 312.5 nV (78.125 nV at ADCRANGE 1).
    public mutating func readShuntVolts() throws(HALError) -> Double {
        Double(INA228Chip.signed20(try readChecked(INARegisterSpec(INA228Register.shuntVoltage.rawValue, bytes: 3))))
            * configuration.shuntRange.lsbVolts
    }

    /// Bus voltage: 20 bits at 195.3125 µV.
    public mutating func readBusVolts() throws(HALError) -> Double {
        Double(try readChecked(INARegisterSpec(INA228Register.busVoltage.rawValue, bytes: 3)) >> 4) * INA228Register.busLSBVolts
    }

    /// Current: 20 bits, two's complement, × CURRENT_LSB.
    public mutating func readCurrentAmps() throws(HALError) -> Double {
        Double(INA228Chip.signed20(try readChecked(INARegisterSpec(INA228Register.current.rawValue, bytes: 3)))) * calibration.currentLSBAmps
    }

    /// Die temperature: 16 bits, two's complement, 7.8125 m°C per count.
    public mutating func readDieTemperatureCelsius() throws(HALError) -> Double {
        Double(Int16(bitPattern: try readChecked(.dieTemperature))) * INA228Register.temperatureLSBCelsius
    }
}
