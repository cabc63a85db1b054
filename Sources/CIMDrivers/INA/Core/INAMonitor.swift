import CIMHAL

/// What changes while the driver runs (Zephyr's `data`).
public struct INAState: Sendable, Hashable {
    /// Times the chip was found reset (its configuration, CAL or a limit no
    /// longer reading back as written) and was set up again.
    public internal(set) var reinitializations = 0
    /// The last alert `configureAlert` set up (INA226, INA260); re-applied by `initialize()`.
    public internal(set) var alert: INAAlertRegisters?
    /// Register words written after set-up that a reset loses (alert limits
    /// and functions), in the order `initialize()` writes them again.
    public internal(set) var restoredWrites: [INARegisterWrite] = []
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

/// One TI INA power monitor, generic over its chip description and the bus
/// it owns: the lifecycle every chip shares, written once.
///
/// - identify: the ID registers, read until reads agree, against the chip's
///   device ID (a wrong chip, or a byte-swapping SMBus read giving 0x4954,
///   is an error, not a silent misreading);
/// - initialize: the chip's set-up writes (configuration first, which
///   restarts the conversion; then CAL), then any alert set up since;
/// - sample: bus, current and power in three transactions, each read until
///   reads agree; then the configuration register — if it no longer reads
///   back as written, or the chip's reset sentinel says so (CAL 0 under a
///   zero current, as Linux ina2xx `ina2xx_read_init` checks), the chip was
///   reset: set it up again, wait one conversion and read once more;
/// - waitForConversion: poll the conversion-ready flag with a timeout.
///
/// The three registers come from three transactions, so a conversion that
/// completes in between can make them come from adjacent conversions: with a
/// changing load, power need not equal bus × current exactly.
public struct INAMonitor<Chip: INAChip, Bus: I2CBus> {
    public private(set) var bus: Bus
    public let address: I2CAddress
    public let configuration: Chip.Configuration
    /// What the settings imply for the registers (CAL and LSBs).
    public let calibration: Chip.Calibration
    public internal(set) var state = INAState()
    let clock: () -> Double
    let delay: (Double) -> Void

    /// No bus traffic: call `identify()` and `initialize()` next.
    /// - Parameters:
    ///   - clock: seconds on the monitor's time base, for sample timestamps.
    ///   - delay: waits that many seconds (a sleep on hardware, a virtual-clock
    ///     advance in emulation); used while polling for a conversion.
    public init(bus: Bus, address: I2CAddress, configuration: Chip.Configuration,
                clock: @escaping () -> Double, delay: @escaping (Double) -> Void) throws(HALError) {
        calibration = try Chip.calibration(for: configuration)
        self.bus = bus
        self.address = address
        self.configuration = configuration
        self.clock = clock
        self.delay = delay
    }

    /// Gives the bus back (embedded-hal's `destroy`).
    public consuming func release() -> Bus { bus }

    // MARK: Set-up

    /// Checks the ID registers against the chip's device ID (bits 15:4; bits
    /// 3:0 are the die revision).
    @discardableResult
    public mutating func identify() throws(HALError) -> INAIdentity {
        guard let id = Chip.identification else {
            throw .unsupported("the \(Chip.partNumber) has no ID registers")
        }
        let identity = INAIdentity(manufacturerID: try readChecked(pointer: id.manufacturerRegister),
                                   dieID: try readChecked(pointer: id.deviceRegister))
        guard identity.manufacturerID == inaManufacturerIDTexasInstruments, identity.dieID >> 4 == id.deviceID else {
            throw .unsupported("device at \(address) reports manufacturer \(HALError.hex16(identity.manufacturerID)), die \(HALError.hex16(identity.dieID)); an \(Chip.partNumber) reports 0x5449, 0x\(String(id.deviceID, radix: 16, uppercase: true))x")
        }
        return identity
    }

    /// The chip's set-up writes, then what a reset would have lost (the last
    /// configured alert: limit first, so the function is never armed
    /// against a stale limit).
    public mutating func initialize() throws(HALError) {
        for write in Chip.setUpWrites(configuration, calibration: calibration) {
            try self.write(pointer: write.register, write.word)
        }
        for write in state.restoredWrites { try self.write(pointer: write.register, write.word) }
    }

    /// Sets RST: every register returns to its POR value; `initialize()` again after.
    public mutating func reset() throws(HALError) {
        try write(pointer: Chip.resetWrite.register, Chip.resetWrite.word)
    }

    // MARK: Measurements

    /// Whether the conversion-ready flag is set (reading it may clear it).
    public mutating func isConversionReady() throws(HALError) -> Bool {
        try read(pointer: Chip.conversionReady.register) & Chip.conversionReady.mask != 0
    }

    /// Polls the conversion-ready flag until set; throws `.timeout` after twice the conversion period.
    public mutating func waitForConversion() throws(HALError) {
        try pollUntilReady(periodSeconds: Chip.conversionPeriodSeconds(configuration), delay: delay,
                           operation: "\(Chip.partNumber) at \(address) conversion") { () throws(HALError) -> Bool in
            try isConversionReady()
        }
    }

    /// Reads a sample with `read`, and again once after setting the chip up
    /// if it was reset; `currentRegister` is the raw current (or shunt)
    /// word a reset sentinel may look at.
    mutating func acquire<Raw>(currentRegister: (Raw) -> UInt64,
                               _ read: (inout Self) throws(HALError) -> Raw) throws(HALError) -> Raw {
        var raw = try read(&self)
        if try chipWasReset(currentRegister: currentRegister(raw)) {
            try initialize()
            state.reinitializations += 1
            try waitForConversion()
            raw = try read(&self)
        }
        return raw
    }

    // MARK: Alerts

    /// Writes an alert's limit then its function and remembers both, so
    /// that `initialize()` restores them after a reset.
    mutating func arm(_ alert: INAAlertRegisters, maskRegister: UInt8, limitRegister: UInt8) throws(HALError) {
        if let limit = alert.alertLimit { try write(pointer: limitRegister, limit) }
        try write(pointer: maskRegister, alert.maskEnable)
        state.alert = alert
        state.restoredWrites = (alert.alertLimit.map { [INARegisterWrite(limitRegister, $0)] } ?? [])
            + [INARegisterWrite(maskRegister, alert.maskEnable)]
    }

    /// Writes a limit register and remembers it, replacing an earlier word
    /// for the same register; restored in register order.
    mutating func setLimit(_ register: UInt8, _ word: UInt16) throws(HALError) {
        try write(pointer: register, word)
        state.restoredWrites.removeAll { $0.register == register }
        state.restoredWrites.append(INARegisterWrite(register, word))
        state.restoredWrites.sort { $0.register < $1.register }
    }

    // MARK: Registers

    /// The configuration reads back other than written, or the chip's
    /// sentinel says it was reset; a reading before `initialize()` counts too.
    private mutating func chipWasReset(currentRegister: UInt64) throws(HALError) -> Bool {
        if try readChecked(pointer: Chip.configurationRegister) != Chip.configurationWord(configuration) { return true }
        switch Chip.resetSentinel(currentRegister: currentRegister, configuration: configuration, calibration: calibration, state: state) {
        case nil: return false
        case let .readsZero(register)?: return try read(pointer: register) == 0
        case let .readsOtherThan(register, word)?: return try read(pointer: register) != word
        }
    }

    public mutating func read(_ register: Chip.Register) throws(HALError) -> UInt16 {
        try read(pointer: register.rawValue)
    }

    public mutating func write(_ register: Chip.Register, _ value: UInt16) throws(HALError) {
        try write(pointer: register.rawValue, value)
    }

    /// `read`, repeated until reads agree: for what a sample is made of.
    mutating func readChecked(_ register: Chip.Register) throws(HALError) -> UInt16 {
        try readChecked(pointer: register.rawValue)
    }

    mutating func read(pointer: UInt8) throws(HALError) -> UInt16 {
        try bus.readRegister16(pointer, at: address)
    }

    mutating func readChecked(pointer: UInt8) throws(HALError) -> UInt16 {
        try bus.readRegister16Agreeing(pointer, at: address)
    }

    mutating func write(pointer: UInt8, _ value: UInt16) throws(HALError) {
        try bus.writeRegister16(pointer, value, at: address)
    }

    /// A register of any width, right-aligned, read until reads agree.
    mutating func readChecked(_ spec: INARegisterSpec) throws(HALError) -> UInt64 {
        try bus.readRegisterAgreeing(spec.pointer, bytes: spec.bytes, at: address)
    }

    mutating func readSample(_ registers: INASampleRegisters) throws(HALError) -> INARawSample {
        INARawSample(bus: try readChecked(registers.bus), current: try readChecked(registers.current),
                     power: try readChecked(registers.power))
    }
}

extension INAMonitor: PowerMonitor, BlockAveragingPowerMonitor where Chip: INASingleRailChip {
    public var railName: String { Chip.railName(of: configuration) }

    /// One reading of the rail: bus, current and signed power.
    public mutating func sample() throws(HALError) -> PowerSample {
        let timestamp = clock()
        let raw = try acquire(currentRegister: \.current) { (monitor: inout Self) throws(HALError) in
            try monitor.readSample(Chip.sampleRegisters)
        }
        let reading = try Chip.reading(raw, configuration: configuration, calibration: calibration, address: address)
        return PowerSample(timestampSeconds: timestamp, busVolts: reading.busVolts,
                           currentAmps: reading.currentAmps, powerWatts: reading.powerWatts)
    }

    public var conversionWindowSeconds: Double { Chip.conversionPeriodSeconds(configuration) }
    public var powerResolutionWatts: Double { Chip.powerResolutionWatts(configuration, calibration: calibration) }
}
