import CIMHAL

/// What tells one TI INA power monitor from another, as a table: the
/// counterpart of Linux ina2xx.c's per-chip `ina2xx_config` and Zephyr's
/// `ina2xx_config` (register addresses, LSB rules, conversion times, the
/// calibration rule). `INAMonitor` runs the lifecycle every chip shares —
/// identify, initialise, sample, notice a reset, wait for a conversion — from
/// these entries; a chip's folder file holds nothing else but its own
/// extras (alert mappings, extra registers).
///
/// Adding a chip: one file in `Chips/` with a type conforming to this
/// protocol, its line in `INAChips.all`, and its register model in
/// CIMEmulation's `INAModels` (the model is a second, independent reading
/// of the datasheet that the driver is tested against).
public protocol INAChip: INAChipDescription {
    /// The chip's settings as the board fixes them (Zephyr's `config`).
    associatedtype Configuration: Sendable, Hashable
    /// The chip's register pointers.
    associatedtype Register: RawRepresentable where Register.RawValue == UInt8
    /// What the settings imply for the registers: CAL and the LSBs it gives
    /// (`INACalibration`), or nothing on a chip with fixed LSBs.
    associatedtype Calibration: Sendable, Hashable = INAFixedScale

    /// Checks the settings and derives the calibration they imply.
    static func calibration(for configuration: Configuration) throws(HALError) -> Calibration
    /// The register compared at every sample to notice a reset, and the word
    /// it holds once the chip is set up.
    static func configurationWord(_ configuration: Configuration) -> UInt16
    /// What `initialize()` writes, in order; the first write restarts the conversion.
    static func setUpWrites(_ configuration: Configuration, calibration: Calibration) -> [INARegisterWrite]
    /// Time from a conversion start to the conversion-ready flag.
    static func conversionPeriodSeconds(_ configuration: Configuration) -> Double
    /// A second sign of a reset when the configuration cannot show one (it
    /// equals POR, or the reading is one a reset would also give).
    static func resetSentinel(currentRegister: UInt64, configuration: Configuration, calibration: Calibration,
                              state: INAState) -> INAResetSentinel?
}

/// A chip that measures one rail: `INAMonitor` is then its `PowerMonitor`.
public protocol INASingleRailChip: INAChip {
    static func railName(of configuration: Configuration) -> String
    /// Where bus, current and power are, and how wide.
    static var sampleRegisters: INASampleRegisters { get }
    /// Bus volts, amps and signed watts from the three sample registers.
    static func reading(_ raw: INARawSample, configuration: Configuration, calibration: Calibration,
                        address: I2CAddress) throws(HALError) -> INAReading
    /// The power resolution of a reading, for energy-integration error bounds.
    static func powerResolutionWatts(_ configuration: Configuration, calibration: Calibration) -> Double
    /// The chip's configuration for the board file's rail settings.
    static func configuration(for rail: INARailSettings) throws(HALError) -> Configuration
}

/// The part of a chip description that needs no generic context: what the
/// registry, the board-file reader and the bus probe use.
public protocol INAChipDescription: SendableMetatype {
    /// "INA226": for messages; lowercased, the board file's `chip` value.
    static var partNumber: String { get }
    /// Where the ID registers are and what they hold; nil: the chip has none (INA219).
    static var identification: INAIdentification? { get }
    /// The pointer of the register `configurationWord` describes, and its POR value.
    static var configurationRegister: UInt8 { get }
    static var configurationPOR: UInt16 { get }
    /// The register and word that reset the chip (RST).
    static var resetWrite: INARegisterWrite { get }
    /// The register and bit that say a conversion finished.
    static var conversionReady: INAFlag { get }
    /// What a board file may set for this chip.
    static var boardFile: INABoardFileSchema { get }
    /// The monitors of one chip at `address` serving `rails` (more than one
    /// only for a multi-channel chip), identified and initialised through
    /// `step` (which repeats a step after a transient fault).
    static func monitors<Bus: I2CBus>(on bus: Bus, at address: I2CAddress, rails: [INARailSettings],
                                      clock: @escaping () -> Double, delay: @escaping (Double) -> Void,
                                      step: INASetUpStep) throws(HALError) -> [any PowerMonitor]
}

/// Runs one set-up step, repeating it as the caller's policy says.
public typealias INASetUpStep = (_ body: () throws(HALError) -> Void) throws(HALError) -> Void

extension INAChipDescription {
    /// The board file's `chip` value.
    public static var boardFileName: String { partNumber.lowercased() }
}

/// The calibration of a chip with fixed LSBs: nothing to compute.
public struct INAFixedScale: Sendable, Hashable {
    public init() {}
}

/// A register pointer and the word written to it.
public struct INARegisterWrite: Sendable, Hashable {
    public let register: UInt8
    public let word: UInt16
    public init(_ register: UInt8, _ word: UInt16) {
        self.register = register
        self.word = word
    }
}

/// A flag bit in a register.
public struct INAFlag: Sendable, Hashable {
    public let register: UInt8
    public let mask: UInt16
}

/// A register's pointer and width in bytes (2 on most chips; 3 for the
/// INA228's 20-bit results).
public struct INARegisterSpec: Sendable, Hashable {
    public let pointer: UInt8
    public let bytes: Int
    public init(_ pointer: UInt8, bytes: Int = 2) {
        self.pointer = pointer
        self.bytes = bytes
    }
}

/// The three registers a sample is made of.
public struct INASampleRegisters: Sendable, Hashable {
    public let bus: INARegisterSpec
    public let current: INARegisterSpec
    public let power: INARegisterSpec
}

/// The raw words of one sample, right-aligned.
public struct INARawSample: Sendable, Hashable {
    public var bus: UInt64
    public var current: UInt64
    public var power: UInt64
}

/// A decoded sample, before its timestamp.
public struct INAReading: Sendable, Hashable {
    public var busVolts: Double
    public var currentAmps: Double
    public var powerWatts: Double
}

/// The ID registers and the device ID they hold.
public struct INAIdentification: Sendable, Hashable {
    public let manufacturerRegister: UInt8
    public let deviceRegister: UInt8
    /// The device ID in bits 15:4 of the device register; bits 3:0 are the
    /// die revision and may differ.
    public let deviceID: UInt16
}

/// A register whose value after a reset differs from what the driver wrote.
public enum INAResetSentinel: Sendable, Hashable {
    /// A reset reads 0 here (INA219/226 CAL, which the driver never writes as 0).
    case readsZero(UInt8)
    /// Anything but `word` means a reset (a limit the driver set).
    case readsOtherThan(UInt8, word: UInt16)
}

/// The board-file keys a chip accepts, with the values each may take.
public struct INABoardFileSchema: Sendable, Hashable {
    /// `averaging` values.
    public let averagingCounts: [Int]
    /// `bus_conversion_microseconds` and `shunt_conversion_microseconds` values.
    public let conversionMicroseconds: [Int]
    /// Whether `rshunt_micro_ohms` is read; nil gives the fixed internal shunt in µΩ.
    public let internalShuntMicroOhms: Int?
    /// Channels one chip serves (`channel` is read when above 1).
    public let channels: Int
    /// Rules between keys: what breaks them in a rail's settings.
    public let constraint: (@Sendable (INARailSettings) -> [INABoardFileViolation])?

    public init(averagingCounts: [Int], conversionMicroseconds: [Int], internalShuntMicroOhms: Int? = nil, channels: Int = 1,
                constraint: (@Sendable (INARailSettings) -> [INABoardFileViolation])? = nil) {
        self.averagingCounts = averagingCounts
        self.conversionMicroseconds = conversionMicroseconds
        self.internalShuntMicroOhms = internalShuntMicroOhms
        self.channels = channels
        self.constraint = constraint
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.averagingCounts == rhs.averagingCounts && lhs.conversionMicroseconds == rhs.conversionMicroseconds
            && lhs.internalShuntMicroOhms == rhs.internalShuntMicroOhms && lhs.channels == rhs.channels
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(averagingCounts)
        hasher.combine(conversionMicroseconds)
    }
}

/// A broken rule between board-file keys of one `[power.<rail>]` table.
public struct INABoardFileViolation: Sendable, Hashable {
    /// The key at fault, within the rail's table (`bus_conversion_microseconds`).
    public let key: String
    public let value: String
    /// The keys it conflicts with, within the table.
    public let related: [String]
    public let expected: String

    public init(key: String, value: String, related: [String], expected: String) {
        self.key = key
        self.value = value
        self.related = related
        self.expected = expected
    }
}

/// One rail's monitor as a board file gives it (`[power.<rail>]`), in the
/// terms every INA shares; each chip maps it to its own configuration.
public struct INARailSettings: Sendable, Hashable {
    public var rail: String
    /// Multi-channel chips: which channel (1-based).
    public var channel: Int
    public var shuntMicroOhms: Int
    public var maxCurrentAmps: Double
    public var averaging: Int
    public var busConversionMicroseconds: Int
    public var shuntConversionMicroseconds: Int

    public init(rail: String, channel: Int = 1, shuntMicroOhms: Int, maxCurrentAmps: Double, averaging: Int,
                busConversionMicroseconds: Int, shuntConversionMicroseconds: Int) {
        self.rail = rail
        self.channel = channel
        self.shuntMicroOhms = shuntMicroOhms
        self.maxCurrentAmps = maxCurrentAmps
        self.averaging = averaging
        self.busConversionMicroseconds = busConversionMicroseconds
        self.shuntConversionMicroseconds = shuntConversionMicroseconds
    }
}

extension INASingleRailChip {
    /// One `INAMonitor`, identified (when the chip has ID registers) and initialised.
    public static func monitors<Bus: I2CBus>(on bus: Bus, at address: I2CAddress, rails: [INARailSettings],
                                             clock: @escaping () -> Double, delay: @escaping (Double) -> Void,
                                             step: INASetUpStep) throws(HALError) -> [any PowerMonitor] {
        guard let rail = rails.first, rails.count == 1 else {
            throw .invalidArgument("\(partNumber) at \(address) serves one rail, not \(rails.count)")
        }
        var monitor = try INAMonitor<Self, Bus>(bus: bus, address: address, configuration: try configuration(for: rail),
                                                clock: clock, delay: delay)
        if identification != nil { try step { () throws(HALError) in _ = try monitor.identify() } }
        try step { () throws(HALError) in try monitor.initialize() }
        return [monitor]
    }
}
