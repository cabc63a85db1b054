import CIMHAL

/// INA219 register pointers (SBOS448 §8.6). There are no ID registers.
public enum INA219Register: UInt8, CaseIterable, Sendable {
    case configuration = 0x00, shuntVoltage = 0x01, busVoltage = 0x02, power = 0x03
    case current = 0x04, calibration = 0x05

    /// 32 V bus range, PGA /8, 12-bit both ADCs, continuous shunt and bus.
    public static let configurationPOR: UInt16 = 0x399F
}

/// INA219 configuration fields (SBOS448 Figure 19).
public enum INA219ConfigurationField {
    public static let reset = RegisterField(bits: 15...15)
    public static let busRange = RegisterField(bits: 13...13)
    public static let gain = RegisterField(bits: 11...12)
    public static let busADC = RegisterField(bits: 7...10)
    public static let shuntADC = RegisterField(bits: 3...6)
    public static let mode = RegisterField(bits: 0...2)
}

/// BRNG: bus full scale (SBOS448 §8.6.2.1).
public enum INA219BusRange: UInt16, CaseIterable, Sendable {
    case volts16 = 0, volts32 = 1
    public var fullScaleVolts: Double { self == .volts16 ? 16 : 32 }
}

/// PG: shunt full scale. The ADC LSB stays 10 µV; only the range changes.
public enum INA219Gain: UInt16, CaseIterable, Sendable {
    case divideBy1 = 0, divideBy2, divideBy4, divideBy8
    public var fullScaleVolts: Double { 0.040 * Double(1 << Int(rawValue)) }
}

/// BADC / SADC: resolution or number of averaged 12-bit samples (SBOS448 Table 5).
public enum INA219ADC: UInt16, CaseIterable, Sendable {
    case bits9 = 0, bits10 = 1, bits11 = 2, bits12 = 3
    case samples2 = 9, samples4, samples8, samples16, samples32, samples64, samples128

    public var sampleCount: Int { rawValue < 8 ? 1 : 1 << Int(rawValue - 8) }

    public var microseconds: Int {
        switch self {
        case .bits9: 84
        case .bits10: 148
        case .bits11: 276
        case .bits12: 532
        case .samples2: 1060
        case .samples4: 2130
        case .samples8: 4260
        case .samples16: 8510
        case .samples32: 17020
        case .samples64: 34050
        case .samples128: 68100
        }
    }
}

public struct INA219Configuration: Sendable, Hashable {
    public var railName: String
    public var shuntMicroOhms: Double
    public var maxExpectedCurrentAmps: Double
    public var currentLSBAmps: Double?
    public var busRange: INA219BusRange
    public var gain: INA219Gain
    public var busADC: INA219ADC
    public var shuntADC: INA219ADC
    public var mode: INAOperatingMode

    /// Defaults equal the chip's POR settings.
    public init(railName: String, shuntMicroOhms: Double, maxExpectedCurrentAmps: Double, currentLSBAmps: Double? = nil,
                busRange: INA219BusRange = .volts32, gain: INA219Gain = .divideBy8,
                busADC: INA219ADC = .bits12, shuntADC: INA219ADC = .bits12,
                mode: INAOperatingMode = .shuntAndBusContinuous) {
        self.railName = railName
        self.shuntMicroOhms = shuntMicroOhms
        self.maxExpectedCurrentAmps = maxExpectedCurrentAmps
        self.currentLSBAmps = currentLSBAmps
        self.busRange = busRange
        self.gain = gain
        self.busADC = busADC
        self.shuntADC = shuntADC
        self.mode = mode
    }

    public var configurationWord: UInt16 {
        var word: UInt16 = 0
        word = INA219ConfigurationField.busRange.set(busRange.rawValue, in: word)
        word = INA219ConfigurationField.gain.set(gain.rawValue, in: word)
        word = INA219ConfigurationField.busADC.set(busADC.rawValue, in: word)
        word = INA219ConfigurationField.shuntADC.set(shuntADC.rawValue, in: word)
        return INA219ConfigurationField.mode.set(mode.rawValue, in: word)
    }

    /// Shunt then bus, each with its own averaging (SBOS448 §8.3.1).
    public var conversionPeriodSeconds: Double {
        Double((mode.measuresShunt ? shuntADC.microseconds : 0) + (mode.measuresBus ? busADC.microseconds : 0)) * 1e-6
    }
}

/// The bus-voltage register: the voltage and the two status bits that share it.
public struct INA219BusReading: Sendable, Hashable {
    public var busVolts: Double
    /// CNVR (bit 1): a conversion finished since the power register was last read.
    public var conversionReady: Bool
    /// OVF (bit 0): the current or power arithmetic overflowed; the bus voltage is still valid.
    public var mathOverflow: Bool

    public init(register: UInt16) {
        busVolts = Double(register >> 3) * 4e-3
        conversionReady = register & 0x0002 != 0
        mathOverflow = register & 0x0001 != 0
    }
}

/// The TI INA219 (SBOS448), generic over the bus it owns. Same policy as
/// `INA226`: chip-computed current and power, reset detection through CAL,
/// signed power from the current's sign.
public typealias INA219<Bus: I2CBus> = INAMonitor<INA219Chip, Bus>

/// The INA219's table for `INAMonitor`.
public enum INA219Chip: INASingleRailChip {
    public typealias Register = INA219Register
    public typealias Configuration = INA219Configuration

    public static let partNumber = "INA219"
    public static let identification: INAIdentification? = nil
    public static let configurationRegister = INA219Register.configuration.rawValue
    public static let configurationPOR = INA219Register.configurationPOR
    public static let resetWrite = INARegisterWrite(INA219Register.configuration.rawValue, INA219ConfigurationField.reset.set(1, in: 0))
    /// CNVR, bit 1 of the bus register.
    public static let conversionReady = INAFlag(register: INA219Register.busVoltage.rawValue, mask: 0x0002)
    public static let sampleRegisters = INASampleRegisters(bus: .init(INA219Register.busVoltage.rawValue),
                                                           current: .init(INA219Register.current.rawValue),
                                                           power: .init(INA219Register.power.rawValue))
    /// 2...128 samples of the 12-bit (532 µs) conversion, or one of 9 to 12
    /// bits (SBOS448 Table 5).
    public static let boardFile = INABoardFileSchema(
        averagingCounts: [1, 2, 4, 8, 16, 32, 64, 128], conversionMicroseconds: [84, 148, 276, 532],
        constraint: { rail in
            [("bus_conversion_microseconds", rail.busConversionMicroseconds),
             ("shunt_conversion_microseconds", rail.shuntConversionMicroseconds)]
                .filter { rail.averaging != 1 && $0.1 != 532 }
                .map { INABoardFileViolation(key: $0.0, value: "\($0.1)", related: ["averaging"],
                                             expected: "532 µs: the INA219 averages only its 12-bit conversions") }
        })

    public static func railName(of c: INA219Configuration) -> String { c.railName }

    public static func calibration(for c: INA219Configuration) throws(HALError) -> INACalibration {
        let calibration = try INACalibration.ina219(shuntMicroOhms: c.shuntMicroOhms, maxExpectedCurrentAmps: c.maxExpectedCurrentAmps,
                                                    currentLSBAmps: c.currentLSBAmps)
        let shuntVolts = c.maxExpectedCurrentAmps * c.shuntMicroOhms * 1e-6
        guard shuntVolts <= c.gain.fullScaleVolts else {
            throw .invalidArgument("INA219 shunt voltage at maxExpectedCurrentAmps is \(shuntVolts * 1e3) mV, above the \(c.gain.fullScaleVolts * 1e3) mV range of gain \(c.gain); choose a larger gain or lower shuntMicroOhms")
        }
        return calibration
    }

    public static func configurationWord(_ c: INA219Configuration) -> UInt16 { c.configurationWord }

    public static func setUpWrites(_ c: INA219Configuration, calibration: INACalibration) -> [INARegisterWrite] {
        [INARegisterWrite(INA219Register.configuration.rawValue, c.configurationWord),
         INARegisterWrite(INA219Register.calibration.rawValue, calibration.register)]
    }

    public static func conversionPeriodSeconds(_ c: INA219Configuration) -> Double { c.conversionPeriodSeconds }

    /// An OVF means current and power are wrong (SBOS448 §8.6.3.2): that is
    /// reported as ERANGE rather than returned as a plausible number.
    public static func reading(_ raw: INARawSample, configuration: INA219Configuration, calibration: INACalibration,
                               address: I2CAddress) throws(HALError) -> INAReading {
        let bus = INA219BusReading(register: UInt16(truncatingIfNeeded: raw.bus))
        guard !bus.mathOverflow else {
            throw .io(errno: 34, operation: "INA219 at \(address) current/power arithmetic overflow (OVF): the load exceeds maxExpectedCurrentAmps or the gain range")
        }
        let currentAmps = Double(Int16(truncatingIfNeeded: raw.current)) * calibration.currentLSBAmps
        let power = Double(UInt16(truncatingIfNeeded: raw.power)) * calibration.powerLSBWatts
        return INAReading(busVolts: bus.busVolts, currentAmps: currentAmps, powerWatts: currentAmps < 0 ? -power : power)
    }

    /// For a configuration equal to POR, a zero current with CAL == 0 (CAL 0
    /// forces the current register to 0, §8.5.1, so this holds at any time).
    public static func resetSentinel(currentRegister: UInt64, configuration: INA219Configuration, calibration: INACalibration,
                                     state: INAState) -> INAResetSentinel? {
        currentRegister == 0 ? .readsZero(INA219Register.calibration.rawValue) : nil
    }

    public static func powerResolutionWatts(_ c: INA219Configuration, calibration: INACalibration) -> Double {
        calibration.powerLSBWatts
    }

    /// The smallest PGA range that holds Imax·R, and averaging only on 12-bit conversions.
    public static func configuration(for rail: INARailSettings) throws(HALError) -> INA219Configuration {
        let shuntMillivolts = rail.maxCurrentAmps * Double(rail.shuntMicroOhms) * 1e-3
        let gain: INA219Gain = shuntMillivolts <= 40 ? .divideBy1 : shuntMillivolts <= 80 ? .divideBy2
            : shuntMillivolts <= 160 ? .divideBy4 : .divideBy8
        func adc(_ microseconds: Int) throws(HALError) -> INA219ADC {
            let code = rail.averaging > 1
                ? INA219ADC.allCases.first { $0.rawValue >= 9 && 1 << ($0.rawValue - 8) == rail.averaging }
                : INA219ADC.allCases.first { $0.microseconds == microseconds && $0.rawValue <= 3 }
            guard let code else {
                throw .invalidArgument("INA219 rail \(rail.rail): averaging \(rail.averaging) with \(microseconds) µs conversions is not an ADC setting (SBOS448 Table 5)")
            }
            return code
        }
        return INA219Configuration(railName: rail.rail, shuntMicroOhms: Double(rail.shuntMicroOhms), maxExpectedCurrentAmps: rail.maxCurrentAmps,
                                   gain: gain, busADC: try adc(rail.busConversionMicroseconds),
                                   shuntADC: try adc(rail.shuntConversionMicroseconds))
    }
}

extension INAMonitor where Chip == INA219Chip {
    /// Two's complement, 10 µV per count at every gain (SBOS448 §8.6.3.1).
    public mutating func readShuntVolts() throws(HALError) -> Double {
        Double(Int16(bitPattern: try read(.shuntVoltage))) * 10e-6
    }

    public mutating func readBus() throws(HALError) -> INA219BusReading {
        INA219BusReading(register: try read(.busVoltage))
    }

    public mutating func readCurrentAmps() throws(HALError) -> Double {
        Double(Int16(bitPattern: try read(.current))) * calibration.currentLSBAmps
    }

    /// 20 × Current_LSB per count, a magnitude.
    public mutating func readPowerMagnitudeWatts() throws(HALError) -> Double {
        Double(try read(.power)) * calibration.powerLSBWatts
    }
}
