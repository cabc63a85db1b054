/// Something only some boards can do. A board lists its capabilities; a
/// caller asks `BoardDevices.capability(_:)` for the protocol it needs and
/// handles its absence (a real board has no thermal chamber).
public protocol BoardCapability: AnyObject {}

/// Checks every device the board file names: a line per device, or the
/// first device that does not answer as its file says (the firmware's
/// self-test).
public protocol SelfTest: BoardCapability {
    func selfTest() throws(HALError) -> [String]
}

/// An energy model's running totals (a simulated board, or the model behind
/// an emulated eval board): the ground truth a measurement is held against.
public protocol EnergyAccount: BoardCapability {
    var energyTotals: EnergyTotals { get }
}

/// Totals since the board was opened.
public struct EnergyTotals: Sendable, Hashable {
    /// Everything the board drew: arrays, converters, periphery, static and board overhead.
    public var boardJoules: Double
    /// The chip's dynamic energy: tile multiplies and the digital side that serves them (the core).
    public var coreJoules: Double
    /// Where the board's energy went, by component, when the model keeps that account.
    public var breakdown: EnergyBreakdown?
    /// Accelerator time.
    public var seconds: Double

    public init(boardJoules: Double, coreJoules: Double, breakdown: EnergyBreakdown? = nil, seconds: Double) {
        self.boardJoules = boardJoules
        self.coreJoules = coreJoules
        self.breakdown = breakdown
        self.seconds = seconds
    }
}

/// A die whose temperature can be set: a thermal chamber.
public protocol ThermalControl: BoardCapability {
    /// Holds the die at `celsius` from now on.
    func holdDie(atCelsius celsius: Double)
    /// Moves the die linearly from `from` to `to` °C over `seconds` of board time, starting now.
    func rampDie(fromCelsius from: Double, toCelsius to: Double, overSeconds seconds: Double)
    /// The die temperature the chamber sets at a board time.
    func dieCelsius(atSeconds seconds: Double) -> Double
    /// Board time now, on the chamber's time base.
    var nowSeconds: Double { get }
}

/// Where the time of one tile MVM goes, from a timing model.
public protocol MVMTimingModel: BoardCapability {
    /// Seconds of DAC pulses and ADC conversions, and of moving input and
    /// output codes over the host link, per tile MVM.
    var secondsPerMVM: (array: Double, hostLink: Double) { get }
}

/// A power monitor that reads an energy model rather than a rail: logged as
/// the model it is, not as a measurement.
public protocol ModelledPowerMonitor: PowerMonitor {}
