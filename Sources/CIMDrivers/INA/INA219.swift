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
public struct INA219<Bus: I2CBus>: PowerMonitor {
    public private(set) var bus: Bus
    public let address: I2CAddress
    public let configuration: INA219Configuration
    public let calibration: INACalibration
    public private(set) var state = INAState()
    private let clock: () -> Double
    private let delay: (Double) -> Void

    public init(bus: Bus, address: I2CAddress, configuration: INA219Configuration,
                clock: @escaping () -> Double, delay: @escaping (Double) -> Void) throws(HALError) {
        calibration = try .ina219(shuntMicroOhms: configuration.shuntMicroOhms,
                                  maxExpectedCurrentAmps: configuration.maxExpectedCurrentAmps,
                                  currentLSBAmps: configuration.currentLSBAmps)
        let shuntVolts = configuration.maxExpectedCurrentAmps * configuration.shuntMicroOhms * 1e-6
        guard shuntVolts <= configuration.gain.fullScaleVolts else {
            throw .invalidArgument("INA219 shunt voltage at maxExpectedCurrentAmps is \(shuntVolts * 1e3) mV, above the \(configuration.gain.fullScaleVolts * 1e3) mV range of gain \(configuration.gain); choose a larger gain or lower shuntMicroOhms")
        }
        self.bus = bus
        self.address = address
        self.configuration = configuration
        self.clock = clock
        self.delay = delay
    }

    public var railName: String { configuration.railName }

    public consuming func release() -> Bus { bus }

    public mutating func initialize() throws(HALError) {
        try write(.configuration, configuration.configurationWord)
        try write(.calibration, calibration.register)
    }

    public mutating func reset() throws(HALError) {
        try write(.configuration, INA219ConfigurationField.reset.set(1, in: 0))
    }

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

    /// Polls CNVR in the bus register; throws `.timeout` after twice the period.
    public mutating func waitForConversion() throws(HALError) {
        try pollUntilReady(periodSeconds: configuration.conversionPeriodSeconds, delay: delay,
                           operation: "INA219 at \(address) conversion") { () throws(HALError) -> Bool in
            try readBus().conversionReady
        }
    }

    /// Reads bus, current and power, in three separate transactions: a
    /// conversion finishing in between can make them come from adjacent
    /// conversions, so with a changing load power need not equal bus × current.
    ///
    /// Re-initialises once if the chip was reset: the configuration, read at
    /// every sample, no longer reads back as written (SBOS448 §8.6.2.1), or —
    /// for a configuration equal to POR — a zero current with CAL == 0 (CAL 0
    /// forces the current register to 0, §8.5.1, so this holds at any time).
    /// An OVF means current and power are wrong (SBOS448 §8.6.3.2): that is
    /// reported as ERANGE rather than returned as a plausible number.
    public mutating func sample() throws(HALError) -> PowerSample {
        let timestamp = clock()
        var raw = try readSampleRegisters()
        if try chipWasReset(currentRegister: raw.current) {
            try initialize()
            state.reinitializations += 1
            try waitForConversion()
            raw = try readSampleRegisters()
        }
        let bus = INA219BusReading(register: raw.bus)
        guard !bus.mathOverflow else {
            throw .io(errno: 34, operation: "INA219 at \(address) current/power arithmetic overflow (OVF): the load exceeds maxExpectedCurrentAmps or the gain range")
        }
        let currentAmps = Double(Int16(bitPattern: raw.current)) * calibration.currentLSBAmps
        let power = Double(raw.power) * calibration.powerLSBWatts
        return PowerSample(timestampSeconds: timestamp, busVolts: bus.busVolts, currentAmps: currentAmps,
                           powerWatts: currentAmps < 0 ? -power : power)
    }

    /// See `sample()`.
    private mutating func chipWasReset(currentRegister: UInt16) throws(HALError) -> Bool {
        if try readChecked(.configuration) != configuration.configurationWord { return true }
        guard currentRegister == 0 else { return false }
        return try read(.calibration) == 0
    }

    public mutating func read(_ register: INA219Register) throws(HALError) -> UInt16 {
        try bus.readRegister16(register.rawValue, at: address)
    }

    /// `read`, repeated until two reads agree: for what a sample is made of.
    mutating func readChecked(_ register: INA219Register) throws(HALError) -> UInt16 {
        try bus.readRegister16Agreeing(register.rawValue, at: address)
    }

    public mutating func write(_ register: INA219Register, _ value: UInt16) throws(HALError) {
        try bus.writeRegister16(register.rawValue, value, at: address)
    }

    private mutating func readSampleRegisters() throws(HALError) -> (bus: UInt16, current: UInt16, power: UInt16) {
        (try readChecked(.busVoltage), try readChecked(.current), try readChecked(.power))
    }
}
