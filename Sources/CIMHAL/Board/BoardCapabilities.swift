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
    /// Where the board's energy went, by component.
    public var breakdown: EnergyBreakdown
    /// Accelerator time.
    public var seconds: Double

    public init(boardJoules: Double, coreJoules: Double, breakdown: EnergyBreakdown = .init(), seconds: Double) {
        self.boardJoules = boardJoules
        self.coreJoules = coreJoules
        self.breakdown = breakdown
        self.seconds = seconds
    }
}

/// A board's energy by the component that spent it, in joules.
public struct EnergyBreakdown: Sendable, Hashable, Codable {
    /// Input drivers: one conversion per row (per slice when bit-serial).
    public var dacJoules: Double
    /// Ohmic reads of the cells.
    public var cellReadJoules: Double
    /// Column converters.
    public var adcJoules: Double
    /// Shift-add, scaling and trim after each conversion.
    public var columnDigitalJoules: Double
    /// Input and output codes through the on-chip buffers.
    public var bufferJoules: Double
    /// Commands decoded or program steps sequenced.
    public var controlJoules: Double
    /// Elementwise work of an on-chip program, and any fitted per-multiply term a board file adds.
    public var peripheryJoules: Double
    /// Static power of the chip (bias, references, leakage), idle or not.
    public var leakageJoules: Double
    /// Regulators, microcontroller and the rest of the board.
    public var boardOverheadJoules: Double
    /// Writing weights into the cells (program and verify pulses).
    public var programmingJoules: Double

    public init(dacJoules: Double = 0, cellReadJoules: Double = 0, adcJoules: Double = 0, columnDigitalJoules: Double = 0,
                bufferJoules: Double = 0, controlJoules: Double = 0, peripheryJoules: Double = 0, leakageJoules: Double = 0,
                boardOverheadJoules: Double = 0, programmingJoules: Double = 0) {
        self.dacJoules = dacJoules
        self.cellReadJoules = cellReadJoules
        self.adcJoules = adcJoules
        self.columnDigitalJoules = columnDigitalJoules
        self.bufferJoules = bufferJoules
        self.controlJoules = controlJoules
        self.peripheryJoules = peripheryJoules
        self.leakageJoules = leakageJoules
        self.boardOverheadJoules = boardOverheadJoules
        self.programmingJoules = programmingJoules
    }

    /// The components in report order, with their names.
    public var components: [(name: String, joules: Double)] {
        [("DAC", dacJoules), ("cells", cellReadJoules), ("ADC", adcJoules), ("column digital", columnDigitalJoules),
         ("buffers", bufferJoules), ("control", controlJoules), ("periphery", peripheryJoules),
         ("leakage", leakageJoules), ("board overhead", boardOverheadJoules), ("programming", programmingJoules)]
    }

    /// The chip's dynamic energy: every component but leakage and the board's overhead.
    public var coreJoules: Double {
        dacJoules + cellReadJoules + adcJoules + columnDigitalJoules + bufferJoules + controlJoules + peripheryJoules
    }

    public var totalJoules: Double { coreJoules + leakageJoules + boardOverheadJoules + programmingJoules }

    public static func + (a: EnergyBreakdown, b: EnergyBreakdown) -> EnergyBreakdown { a - b.scaled(by: -1) }

    public static func - (a: EnergyBreakdown, b: EnergyBreakdown) -> EnergyBreakdown {
        EnergyBreakdown(dacJoules: a.dacJoules - b.dacJoules, cellReadJoules: a.cellReadJoules - b.cellReadJoules,
                        adcJoules: a.adcJoules - b.adcJoules, columnDigitalJoules: a.columnDigitalJoules - b.columnDigitalJoules,
                        bufferJoules: a.bufferJoules - b.bufferJoules, controlJoules: a.controlJoules - b.controlJoules,
                        peripheryJoules: a.peripheryJoules - b.peripheryJoules, leakageJoules: a.leakageJoules - b.leakageJoules,
                        boardOverheadJoules: a.boardOverheadJoules - b.boardOverheadJoules,
                        programmingJoules: a.programmingJoules - b.programmingJoules)
    }

    public func scaled(by k: Double) -> EnergyBreakdown {
        EnergyBreakdown(dacJoules: dacJoules * k, cellReadJoules: cellReadJoules * k, adcJoules: adcJoules * k,
                        columnDigitalJoules: columnDigitalJoules * k, bufferJoules: bufferJoules * k, controlJoules: controlJoules * k,
                        peripheryJoules: peripheryJoules * k, leakageJoules: leakageJoules * k, boardOverheadJoules: boardOverheadJoules * k,
                        programmingJoules: programmingJoules * k)
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
