import CIMHAL

/// Everything that describes one simulated board: its shape, every physics
/// effect (each with its own switch), costs, and thermal environment.
/// Built from a board file by BoardSupport; tests build it in code.
public struct SimulatorConfiguration: Sendable, Hashable, Codable {
    public var name: String
    public var technology: Technology
    public var seed: UInt64
    public var tiles: Int
    public var rows: Int
    public var columns: Int
    public var columnsPerADC: Int
    public var mapping: ConductanceMapping
    public var programming: ProgrammingVariability
    public var programmingCost: ProgrammingCost
    public var defaultPolicy: WriteVerifyPolicy
    public var endurance: Endurance
    public var stuckAt: StuckAtFaults
    public var drift: ConductanceDrift
    public var temperature: TemperatureDependence
    public var readNoise: ReadNoise
    public var irDrop: IRDrop
    public var dac: DACQuantizer
    public var adc: ADCQuantizer
    public var adcMismatch: ADCColumnMismatch
    public var calibration: CalibrationSettings
    public var energy: EnergyModel
    public var thermal: ThermalProfile
    public var execution: ExecutionSettings

    public init(name: String, technology: Technology, seed: UInt64, tiles: Int, rows: Int, columns: Int, columnsPerADC: Int, mapping: ConductanceMapping, programming: ProgrammingVariability, programmingCost: ProgrammingCost, defaultPolicy: WriteVerifyPolicy, endurance: Endurance, stuckAt: StuckAtFaults, drift: ConductanceDrift, temperature: TemperatureDependence, readNoise: ReadNoise, irDrop: IRDrop, dac: DACQuantizer, adc: ADCQuantizer, adcMismatch: ADCColumnMismatch, calibration: CalibrationSettings, energy: EnergyModel, thermal: ThermalProfile, execution: ExecutionSettings = .hostDriven) {
        self.name = name
        self.technology = technology
        self.seed = seed
        self.tiles = tiles
        self.rows = rows
        self.columns = columns
        self.columnsPerADC = columnsPerADC
        self.mapping = mapping
        self.programming = programming
        self.programmingCost = programmingCost
        self.defaultPolicy = defaultPolicy
        self.endurance = endurance
        self.stuckAt = stuckAt
        self.drift = drift
        self.temperature = temperature
        self.readNoise = readNoise
        self.irDrop = irDrop
        self.dac = dac
        self.adc = adc
        self.adcMismatch = adcMismatch
        self.calibration = calibration
        self.energy = energy
        self.thermal = thermal
        self.execution = execution
    }

    public var geometry: CIMGeometry {
        CIMGeometry(tiles: tiles, rows: rows, columns: columns, dacBits: dac.bits, adcBits: adc.bits,
                    weightBits: mapping.weightBits, columnsPerADC: columnsPerADC)
    }

    /// A board with every effect off: an MVM is the exact product.
    /// Energy and timing figures are placeholders of the right magnitude for
    /// unit tests, not a technology.
    public static func ideal(rows: Int = 64, columns: Int = 64, tiles: Int = 1, seed: UInt64 = 1) -> SimulatorConfiguration {
        SimulatorConfiguration(
            name: "ideal", technology: .ideal, seed: seed, tiles: tiles, rows: rows, columns: columns, columnsPerADC: 1,
            mapping: ConductanceMapping(gMinSiemens: 1e-6, gMaxSiemens: 40e-6, weightBits: 8, quantizesToLevels: false, perColumnScaling: true),
            programming: .off,
            programmingCost: ProgrammingCost(pulseSeconds: 100e-9, pulseEnergyJoules: 1e-12, verifyReadSeconds: 100e-9,
                                             verifyReadEnergyJoules: 1e-13, cellsInParallel: 64),
            defaultPolicy: .singleShot, endurance: .unlimited, stuckAt: .off, drift: .off, temperature: .off,
            readNoise: .off, irDrop: .off,
            dac: DACQuantizer(enabled: false, bits: 8, bitSerial: false),
            adc: ADCQuantizer(enabled: false, bits: 8, fullScaleFraction: 0.25),
            adcMismatch: .off,
            calibration: CalibrationSettings(referenceVectors: 32, referenceColumn: false, referenceColumnReads: 8),
            energy: EnergyModel(readVolts: 0.2, readPulseSeconds: 10e-9, dacEnergyJoules: 50e-15, adcMicrowattsPerBit: 0.538,
                                adcMicrowattsBase: 4.3753, adcCycleSeconds: 1e-9, digitalEnergyJoulesPerColumn: 100e-15,
                                peripheryJoulesPerMVM: 0,
                                staticWatts: 1e-3, boardOverheadWatts: 0.1, supplyVolts: 3.3, hostLinkBytesPerSecond: 50e6),
            thermal: .fixed(celsius: 25))
    }
}

/// The memory technology a board models (its presets differ in every parameter).
public enum Technology: String, CaseIterable, Sendable, Hashable, Codable {
    case rram
    case sram
    case norFlash = "nor_flash"
    case pcm
    /// No technology: every effect off, for tests.
    case ideal
}

/// The error sources that can be switched on and off one at a time.
public enum Effect: String, CaseIterable, Sendable, Hashable, Codable {
    case weightLevels = "weight_levels"
    case programmingVariability = "programming_variability"
    case stuckAtFaults = "stuck_at_faults"
    case drift
    case temperature
    case readNoise = "read_noise"
    case irDrop = "ir_drop"
    case dacQuantization = "dac_quantization"
    case adcQuantization = "adc_quantization"
    case adcMismatch = "adc_mismatch"
}

extension Effect {
    /// The switch that turns this effect on and off in a configuration.
    public var switchPath: WritableKeyPath<SimulatorConfiguration, Bool> {
        switch self {
        case .weightLevels: \.mapping.quantizesToLevels
        case .programmingVariability: \.programming.enabled
        case .stuckAtFaults: \.stuckAt.enabled
        case .drift: \.drift.enabled
        case .temperature: \.temperature.enabled
        case .readNoise: \.readNoise.enabled
        case .irDrop: \.irDrop.enabled
        case .dacQuantization: \.dac.enabled
        case .adcQuantization: \.adc.enabled
        case .adcMismatch: \.adcMismatch.enabled
        }
    }
}

extension SimulatorConfiguration {
    public func isEnabled(_ effect: Effect) -> Bool { self[keyPath: effect.switchPath] }

    public mutating func set(_ effect: Effect, enabled on: Bool) { self[keyPath: effect.switchPath] = on }

    /// This configuration with only `effect` left on (if it was on).
    public func keepingOnly(_ effect: Effect) -> SimulatorConfiguration {
        var copy = self
        for other in Effect.allCases where other != effect { copy.set(other, enabled: false) }
        return copy
    }

    public func withAllEffectsOff() -> SimulatorConfiguration {
        var copy = self
        for effect in Effect.allCases { copy.set(effect, enabled: false) }
        return copy
    }
}
