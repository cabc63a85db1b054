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

/// The alert set up by `configureAlert`, as the register words written, so
/// that a re-initialisation after a chip reset can write them again: a reset
/// returns Mask/Enable and the alert limit to 0 (SBOS547 §7.6.7–7.6.8,
/// SBOS656 §8.6.5–8.6.6), which silently disarms ALERT.
public struct INAAlertRegisters: Sendable, Hashable {
    /// Mask/Enable (06h): function, latch and polarity bits.
    public let maskEnable: UInt16
    /// Alert limit (07h); nil when the function compares nothing (conversion ready).
    public let alertLimit: UInt16?
}

/// What changes while the driver runs (Zephyr's `data`).
public struct INAState: Sendable, Hashable {
    /// Times the chip was found reset (its configuration, CAL or a limit no
    /// longer reading back as written) and was set up again.
    public internal(set) var reinitializations = 0
    /// The last alert `configureAlert` set up (INA226, INA260); re-applied by `initialize()`.
    public internal(set) var alert: INAAlertRegisters?
}

/// The TI INA226 current/power monitor (SBOS547), generic over the bus it owns.
///
/// Reads current and power from the chip's own registers (it multiplies with
/// CAL), detects a chip reset at every sample (the configuration no longer
/// reading back as written, or, as Linux ina2xx.c does, a zero current with
/// CAL == 0 → write config, CAL and the alert again), and reports signed
/// power as sign(I) × P because the power register is a magnitude.
public struct INA226<Bus: I2CBus>: PowerMonitor {
    public private(set) var bus: Bus
    public let address: I2CAddress
    public let configuration: INA226Configuration
    public let calibration: INACalibration
    public private(set) var state = INAState()
    private let clock: () -> Double
    private let delay: (Double) -> Void

    /// No bus traffic: call `identify()` and `initialize()` next.
    /// - Parameters:
    ///   - clock: seconds on the monitor's time base, for sample timestamps.
    ///   - delay: waits that many seconds (a sleep on hardware, a virtual-clock
    ///     advance in emulation); used while polling for a conversion.
    public init(bus: Bus, address: I2CAddress, configuration: INA226Configuration,
                clock: @escaping () -> Double, delay: @escaping (Double) -> Void) throws(HALError) {
        calibration = try .ina226(shuntMicroOhms: configuration.shuntMicroOhms,
                                  maxExpectedCurrentAmps: configuration.maxExpectedCurrentAmps,
                                  currentLSBAmps: configuration.currentLSBAmps)
        // The shunt ADC clips at ±81.92 mV (SBOS547 §7.6.2): beyond that the
        // maximum current cannot be measured at all.
        let fullScaleVolts = configuration.maxExpectedCurrentAmps * configuration.shuntMicroOhms * 1e-6
        guard fullScaleVolts <= 0.08192 else {
            throw .invalidArgument("INA226 shunt voltage at maxExpectedCurrentAmps is \(fullScaleVolts * 1e3) mV, above the 81.92 mV full scale; lower shuntMicroOhms or maxExpectedCurrentAmps")
        }
        self.bus = bus
        self.address = address
        self.configuration = configuration
        self.clock = clock
        self.delay = delay
    }

    public var railName: String { configuration.railName }

    /// Gives the bus back (embedded-hal's `destroy`).
    public consuming func release() -> Bus { bus }

    // MARK: Set-up

    /// Checks the ID registers: a wrong chip at the address (or a byte-swapping
    /// SMBus read, which would give 0x4954) is an error, not a silent misreading.
    @discardableResult
    public mutating func identify() throws(HALError) -> INAIdentity {
        let identity = INAIdentity(manufacturerID: try readChecked(.manufacturerID), dieID: try readChecked(.dieID))
        // Only DID (bits 15:4) names the chip; RID (3:0) is the die revision (SBOS547 §7.6.10).
        guard identity.manufacturerID == inaManufacturerIDTexasInstruments,
              identity.dieID >> 4 == INA226Register.deviceID else {
            throw .unsupported("device at \(address) reports manufacturer \(HALError.hex16(identity.manufacturerID)), die \(HALError.hex16(identity.dieID)); an INA226 reports 0x5449, 0x226x")
        }
        return identity
    }

    /// Writes configuration then calibration (a configuration write restarts
    /// the conversion), then the last configured alert, if any: after a reset
    /// Mask/Enable and the limit are back at 0 and ALERT would stay silent.
    /// The limit goes first so the function is never armed against a stale limit.
    public mutating func initialize() throws(HALError) {
        try write(.configuration, configuration.configurationWord)
        try write(.calibration, calibration.register)
        if let alert = state.alert {
            if let limit = alert.alertLimit { try write(.alertLimit, limit) }
            try write(.maskEnable, alert.maskEnable)
        }
    }

    /// Sets RST: every register returns to its POR value; `initialize()` again after.
    public mutating func reset() throws(HALError) {
        try write(.configuration, INAConfigurationField.reset.set(1, in: 0))
    }

    // MARK: Measurements

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

    public mutating func readMaskEnable() throws(HALError) -> INAMaskEnable {
        INAMaskEnable(rawValue: try read(.maskEnable))
    }

    /// CVRF. Reading Mask/Enable clears it (and a latched AFF).
    public mutating func isConversionReady() throws(HALError) -> Bool {
        try readMaskEnable().contains(.conversionReadyFlag)
    }

    /// Polls CVRF until set; throws `.timeout` after twice the conversion period.
    public mutating func waitForConversion() throws(HALError) {
        try pollUntilReady(periodSeconds: configuration.conversionPeriodSeconds, delay: delay,
                           operation: "INA226 at \(address) conversion") { () throws(HALError) -> Bool in
            try isConversionReady()
        }
    }

    /// One reading of the rail: bus, current and signed power.
    ///
    /// The three registers are read in three separate transactions, so a
    /// conversion that completes in between (every 140 µs × AVG at the
    /// fastest, SBOS547 §7.3.1) can make them come from adjacent conversions:
    /// with a changing load, power need not equal bus × current exactly.
    ///
    /// Every sample also reads the configuration register: if it no longer
    /// reads back as written, the chip lost power or was reset and reverted to
    /// POR (SBOS547 §7.6.1). A configuration equal to POR cannot show that,
    /// so, as Linux ina2xx `ina2xx_read_init` does, a zero current is also
    /// checked against CAL (CAL = 0 forces the current to 0, §7.5.1). Either
    /// way config, CAL and the alert are written again, one conversion is
    /// awaited, and the read retried once.
    public mutating func sample() throws(HALError) -> PowerSample {
        let timestamp = clock()
        var raw = try readSampleRegisters()
        if try chipWasReset(currentRegister: raw.current) {
            try initialize()
            state.reinitializations += 1
            try waitForConversion()
            raw = try readSampleRegisters()
        }
        let currentAmps = Double(Int16(bitPattern: raw.current)) * calibration.currentLSBAmps
        let powerMagnitude = Double(raw.power) * calibration.powerLSBWatts
        return PowerSample(timestampSeconds: timestamp,
                           busVolts: Double(raw.bus & 0x7FFF) * 1.25e-3,
                           currentAmps: currentAmps,
                           powerWatts: currentAmps < 0 ? -powerMagnitude : powerMagnitude)
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
        if let limit { try write(.alertLimit, limit) }
        try write(.maskEnable, mask.rawValue)
        state.alert = INAAlertRegisters(maskEnable: mask.rawValue, alertLimit: limit)
    }

    // MARK: Registers

    /// The configuration reads back other than written, or CAL reads 0 under a
    /// zero current (see `sample()`); a reading before `initialize()` counts too.
    private mutating func chipWasReset(currentRegister: UInt16) throws(HALError) -> Bool {
        if try readChecked(.configuration) != configuration.configurationWord { return true }
        guard currentRegister == 0 else { return false }
        return try read(.calibration) == 0
    }

    public mutating func read(_ register: INA226Register) throws(HALError) -> UInt16 {
        try bus.readRegister16(register.rawValue, at: address)
    }

    /// `read`, repeated until two reads agree: for what a sample is made of.
    mutating func readChecked(_ register: INA226Register) throws(HALError) -> UInt16 {
        try bus.readRegister16Agreeing(register.rawValue, at: address)
    }

    public mutating func write(_ register: INA226Register, _ value: UInt16) throws(HALError) {
        try bus.writeRegister16(register.rawValue, value, at: address)
    }

    private mutating func readSampleRegisters() throws(HALError) -> (bus: UInt16, current: UInt16, power: UInt16) {
        (try readChecked(.busVoltage), try readChecked(.current), try readChecked(.power))
    }
}
