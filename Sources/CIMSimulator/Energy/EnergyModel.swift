/// Where a simulated board's energy and time go.
///
/// Per matrix-vector multiply (per input slice when inputs are bit-serial):
/// - DAC: one conversion per row;
/// - cells: Σ V_i² · G_i · t_read over every conducting cell (Ohmic read);
/// - ADC: one conversion per column, either E = FoM · 2^bits (the Walden
///   figure of merit of the chip's converter, when the board file gives one)
///   or E = (a·bits + b) µW × (bits + 1) ns, NeuroSim's SAR ADC model
///   without its column-resistance term (DNN+NeuroSim, Peng et al., IEDM
///   2019);
/// - column digital: shift-add, scaling and trim per column conversion;
/// - buffers and control (from `[execution]`, see `ExecutionSettings`): the
///   input and output codes through the on-chip buffers, and the command
///   the chip's controller decodes;
/// - an optional fitted term per MVM (`periphery_picojoules_per_mvm`), for
///   matching a measured chip; the presets set none;
/// - time: the read pulse, then `columnsPerADC` conversions of (bits + 1) cycles.
/// Always, including idle: static power of the chip (bias, references,
/// leakage) and the board's overhead (regulators, MCU), charged on elapsed time.
public struct EnergyModel: Sendable, Hashable, Codable {
    public var readVolts: Double
    public var readPulseSeconds: Double
    public var dacEnergyJoules: Double
    public var adcMicrowattsPerBit: Double
    public var adcMicrowattsBase: Double
    public var adcCycleSeconds: Double
    /// The converter's Walden figure of merit, joules per conversion step;
    /// 0: NeuroSim's SAR model from the two coefficients above.
    public var adcJoulesPerConversionStep: Double
    public var digitalEnergyJoulesPerColumn: Double
    public var peripheryJoulesPerMVM: Double
    public var staticWatts: Double
    public var boardOverheadWatts: Double
    public var supplyVolts: Double
    public var hostLinkBytesPerSecond: Double
    /// The TOPS/W the modelled chip's paper or datasheet reports (0: none),
    /// which `cimfw characterize` holds the derived figure against.
    public var publishedTOPSPerWatt: Double = 0

    public init(readVolts: Double, readPulseSeconds: Double, dacEnergyJoules: Double, adcMicrowattsPerBit: Double,
                adcMicrowattsBase: Double, adcCycleSeconds: Double, adcJoulesPerConversionStep: Double = 0, digitalEnergyJoulesPerColumn: Double,
                peripheryJoulesPerMVM: Double, staticWatts: Double, boardOverheadWatts: Double, supplyVolts: Double, hostLinkBytesPerSecond: Double) {
        self.readVolts = readVolts
        self.readPulseSeconds = readPulseSeconds
        self.dacEnergyJoules = dacEnergyJoules
        self.adcMicrowattsPerBit = adcMicrowattsPerBit
        self.adcMicrowattsBase = adcMicrowattsBase
        self.adcCycleSeconds = adcCycleSeconds
        self.adcJoulesPerConversionStep = adcJoulesPerConversionStep
        self.digitalEnergyJoulesPerColumn = digitalEnergyJoulesPerColumn
        self.peripheryJoulesPerMVM = peripheryJoulesPerMVM
        self.staticWatts = staticWatts
        self.boardOverheadWatts = boardOverheadWatts
        self.supplyVolts = supplyVolts
        self.hostLinkBytesPerSecond = hostLinkBytesPerSecond
    }

    public func adcConversionJoules(bits: Int) -> Double {
        if adcJoulesPerConversionStep > 0 { return adcJoulesPerConversionStep * Double(1 << min(bits, 30)) }
        return (adcMicrowattsPerBit * Double(bits) + adcMicrowattsBase) * 1e-6 * Double(bits + 1) * adcCycleSeconds
    }

    public func adcConversionSeconds(bits: Int) -> Double { Double(bits + 1) * adcCycleSeconds }

    /// Duration of one MVM on one tile.
    public func mvmSeconds(slices: Int, adcBits: Int, columnsPerADC: Int) -> Double {
        Double(slices) * (readPulseSeconds + Double(columnsPerADC) * adcConversionSeconds(bits: adcBits))
    }

    /// Energy of one MVM except the cell reads, which depend on the inputs.
    public func converterJoules(rows: Int, columns: Int, slices: Int, adcBits: Int) -> MVMEnergy {
        MVMEnergy(
            dacJoules: Double(rows * slices) * dacEnergyJoules,
            cellReadJoules: 0,
            adcJoules: Double(columns * slices) * adcConversionJoules(bits: adcBits),
            digitalJoules: Double(columns * slices) * digitalEnergyJoulesPerColumn,
            peripheryJoules: peripheryJoulesPerMVM)
    }

    /// Cell read energy for one slice: Σ_i (x_i · Vread)² · ΣG_i · t_read, where
    /// ΣG_i is the total conductance on row i.
    @inlinable
    public func cellReadJoules(sumOfSquaredInputsTimesRowConductance: Double) -> Double {
        sumOfSquaredInputsTimesRowConductance * readVolts * readVolts * readPulseSeconds
    }

    /// Seconds to move one MVM's codes across the host link.
    public func hostLinkSeconds(rows: Int, columns: Int, dacBits: Int, adcBits: Int) -> Double {
        let bytes = rows * ((dacBits + 7) / 8) + columns * ((adcBits + 7) / 8)
        return Double(bytes) / hostLinkBytesPerSecond
    }
}

/// The dynamic energy of one or more MVMs, by component.
public struct MVMEnergy: Sendable, Hashable, Codable {
    public var dacJoules: Double
    public var cellReadJoules: Double
    public var adcJoules: Double
    public var digitalJoules: Double
    /// Codes through the on-chip buffers.
    public var bufferJoules: Double
    /// The controller's command, or an on-chip program's steps.
    public var controlJoules: Double
    /// An on-chip program's elementwise work, plus any fitted per-MVM term.
    public var peripheryJoules: Double

    public init(dacJoules: Double = 0, cellReadJoules: Double = 0, adcJoules: Double = 0, digitalJoules: Double = 0,
                bufferJoules: Double = 0, controlJoules: Double = 0, peripheryJoules: Double = 0) {
        self.dacJoules = dacJoules
        self.cellReadJoules = cellReadJoules
        self.adcJoules = adcJoules
        self.digitalJoules = digitalJoules
        self.bufferJoules = bufferJoules
        self.controlJoules = controlJoules
        self.peripheryJoules = peripheryJoules
    }

    public var totalJoules: Double { dacJoules + cellReadJoules + adcJoules + digitalJoules + bufferJoules + controlJoules + peripheryJoules }

    public static func + (a: MVMEnergy, b: MVMEnergy) -> MVMEnergy {
        MVMEnergy(dacJoules: a.dacJoules + b.dacJoules, cellReadJoules: a.cellReadJoules + b.cellReadJoules,
                  adcJoules: a.adcJoules + b.adcJoules, digitalJoules: a.digitalJoules + b.digitalJoules,
                  bufferJoules: a.bufferJoules + b.bufferJoules, controlJoules: a.controlJoules + b.controlJoules,
                  peripheryJoules: a.peripheryJoules + b.peripheryJoules)
    }

    public func scaled(by k: Double) -> MVMEnergy {
        MVMEnergy(dacJoules: dacJoules * k, cellReadJoules: cellReadJoules * k, adcJoules: adcJoules * k,
                  digitalJoules: digitalJoules * k, bufferJoules: bufferJoules * k, controlJoules: controlJoules * k,
                  peripheryJoules: peripheryJoules * k)
    }
}

extension EnergyModel: BoardFileTable {
    /// The converter's energy comes from exactly one model: a figure of merit, or NeuroSim's two coefficients.
    @Sendable static func violation(_ c: SimulatorConfiguration) -> ParameterViolation? {
        let e = c.energy
        let neuroSim = e.adcMicrowattsPerBit > 0 || e.adcMicrowattsBase > 0
        if e.adcJoulesPerConversionStep > 0, neuroSim {
            return ParameterViolation(key: "energy.adc_femtojoules_per_conversion_step", related: ["energy.adc_microwatts_per_bit", "energy.adc_microwatts_base"],
                                      value: ParameterViolation.format(e.adcJoulesPerConversionStep / 1e-15),
                                      expected: "one ADC energy model: a figure of merit, or NeuroSim's adc_microwatts_per_bit and adc_microwatts_base, not both (a file inheriting a preset's figure of merit sets adc_femtojoules_per_conversion_step = 0 to use NeuroSim's)")
        }
        if e.adcJoulesPerConversionStep == 0, !neuroSim {
            return ParameterViolation(key: "energy.adc_femtojoules_per_conversion_step", related: ["energy.adc_microwatts_per_bit", "energy.adc_microwatts_base"],
                                      value: "0", expected: "the ADC's energy: a figure of merit above 0 fJ per conversion step, or NeuroSim's adc_microwatts_per_bit and adc_microwatts_base")
        }
        return nil
    }

    public static let parameters: [SimulatorParameter<Self>] = [
        .init("read_volts", .real(\.readVolts, range: 0...10, fileToModel: 1)),
        .init("read_pulse_nanoseconds", .real(\.readPulseSeconds, range: 0...1e9, fileToModel: 1e-9)),
        .init("dac_energy_femtojoules", .real(\.dacEnergyJoules, range: 0...1e9, fileToModel: 1e-15)),
        .init("adc_microwatts_per_bit", .real(\.adcMicrowattsPerBit, range: 0...1e6, fileToModel: 1), optional: .real(0)),
        .init("adc_microwatts_base", .real(\.adcMicrowattsBase, range: 0...1e6, fileToModel: 1), optional: .real(0)),
        .init("adc_cycle_nanoseconds", .real(\.adcCycleSeconds, range: 1e-6...1e6, fileToModel: 1e-9)),
        .init("adc_femtojoules_per_conversion_step", .real(\.adcJoulesPerConversionStep, range: 0...1e6, fileToModel: 1e-15), optional: .real(0)),
        .init("digital_energy_femtojoules_per_column", .real(\.digitalEnergyJoulesPerColumn, range: 0...1e9, fileToModel: 1e-15)),
        .init("periphery_picojoules_per_mvm", .real(\.peripheryJoulesPerMVM, range: 0...1e12, fileToModel: 1e-12), optional: .real(0)),
        .init("static_milliwatts", .real(\.staticWatts, range: 0...1e6, fileToModel: 1e-3)),
        .init("board_overhead_milliwatts", .real(\.boardOverheadWatts, range: 0...1e6, fileToModel: 1e-3)),
        .init("supply_volts", .real(\.supplyVolts, range: 0.1...60, fileToModel: 1)),
        .init("host_link_megabytes_per_second", .real(\.hostLinkBytesPerSecond, range: 1e-6...1e6, fileToModel: 1e6)),
        .init("published_tops_per_watt", .real(\.publishedTOPSPerWatt, range: 0...1e6, fileToModel: 1), optional: .real(0)),
    ]
}
