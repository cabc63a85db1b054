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
