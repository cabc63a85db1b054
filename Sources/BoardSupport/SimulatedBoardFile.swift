import CIMHAL
import CIMSimulator

/// The `backend = "simulated"` board file: every physics parameter of
/// CIMSimulator, with its unit in the key. See docs/board-files.md for the format.
enum SimulatedBoardFile {
    static func configuration(from r: inout BoardFileReader) throws(BoardFileError) -> SimulatorConfiguration {
        let name = try r.string("board.name")
        let technologyName = try r.string("board.technology", oneOf: Technology.allCases.map(\.rawValue))
        let seed = try r.int("board.seed", in: 0...Int.max)

        let tiles = try r.int("geometry.tiles", in: 1...1024)
        let rows = try r.int("geometry.rows", in: 2...4096)
        let columns = try r.int("geometry.columns", in: 1...4096)
        let columnsPerADC = try r.int("geometry.columns_per_adc", in: 1...4096)
        guard columnsPerADC <= columns else {
            throw r.error(.inconsistent, key: "geometry.columns_per_adc", related: ["geometry.columns"], value: "\(columnsPerADC)",
                          expected: "at most geometry.columns (\(columns))")
        }

        // A tile's state costs about 100 bytes per weight: keep one under ~400 MB.
        guard rows * columns <= 4_194_304 else {
            throw r.error(.inconsistent, key: "geometry.columns", related: ["geometry.rows"], value: "\(columns)",
                          expected: "rows x columns ≤ 4194304 (here \(rows) x \(columns))")
        }

        let gMin = try r.double("conductance.g_min_micro_siemens", in: 0...1e6)
        let gMax = try r.double("conductance.g_max_micro_siemens", in: 0...1e6)
        guard gMax > gMin else {
            throw r.error(.inconsistent, key: "conductance.g_max_micro_siemens", related: ["conductance.g_min_micro_siemens"], value: BoardFileReader.format(gMax),
                          expected: "greater than conductance.g_min_micro_siemens (\(BoardFileReader.format(gMin)))")
        }
        let mapping = ConductanceMapping(
            gMinSiemens: gMin * 1e-6, gMaxSiemens: gMax * 1e-6,
            weightBits: try r.int("conductance.weight_bits", in: 4...8),
            quantizesToLevels: try r.bool("conductance.quantize_levels"),
            perColumnScaling: try r.bool("conductance.per_column_scaling"),
            volatile: try r.bool("conductance.volatile"))

        let distributionName = try r.string("programming.distribution",
                                            oneOf: ProgrammingVariability.Distribution.allCases.map(\.rawValue))
        let programming = ProgrammingVariability(
            enabled: try r.bool("programming.enabled"),
            variabilityRelative: try r.double("programming.variability_relative", in: 0...1),
            distribution: ProgrammingVariability.Distribution(rawValue: distributionName) ?? .uniform,
            pulseGranularityRelative: try r.double("programming.pulse_granularity_relative", in: 0...1))
        let policy = WriteVerifyPolicy(
            toleranceRelative: try r.double("programming.verify_tolerance_relative", in: 1e-6...1),
            maxPulses: try r.int("programming.max_pulses", in: 1...10_000))
        let cost = ProgrammingCost(
            pulseSeconds: try r.double("programming.pulse_nanoseconds", in: 0...1e9) * 1e-9,
            pulseEnergyJoules: try r.double("programming.pulse_energy_picojoules", in: 0...1e9) * 1e-12,
            verifyReadSeconds: try r.double("programming.verify_read_nanoseconds", in: 0...1e9) * 1e-9,
            verifyReadEnergyJoules: try r.double("programming.verify_read_energy_picojoules", in: 0...1e9) * 1e-12,
            cellsInParallel: try r.int("programming.cells_in_parallel", in: 1...1_000_000))
        let endurance = Endurance(limitCycles: try r.int("endurance.limit_cycles", in: 0...Int(Int32.max)))
        let stuckAt = StuckAtFaults(
            enabled: try r.bool("stuck_at.enabled"),
            stuckOnRate: try r.double("stuck_at.on_rate", in: 0...1),
            stuckOffRate: try r.double("stuck_at.off_rate", in: 0...1))
        guard stuckAt.stuckOnRate + stuckAt.stuckOffRate <= 1 else {
            throw r.error(.inconsistent, key: "stuck_at.off_rate", related: ["stuck_at.on_rate"], value: BoardFileReader.format(stuckAt.stuckOffRate),
                          expected: "stuck_at.on_rate + stuck_at.off_rate ≤ 1")
        }
        let drift = ConductanceDrift(
            enabled: try r.bool("drift.enabled"),
            exponentMean: try r.double("drift.exponent_mean", in: 0...1),
            exponentStd: try r.double("drift.exponent_std", in: 0...1),
            referenceSeconds: try r.double("drift.reference_seconds", in: 1e-9...1e9))
        let temperature = TemperatureDependence(
            enabled: try r.bool("temperature.enabled"),
            coefficientMeanPerKelvin: try r.double("temperature.coefficient_mean_per_kelvin", in: -0.1...0.1),
            coefficientStdPerKelvin: try r.double("temperature.coefficient_std_per_kelvin", in: 0...0.1),
            referenceCelsius: try r.double("temperature.reference_celsius", in: -55...150))
        let readNoise = ReadNoise(
            enabled: try r.bool("read_noise.enabled"),
            sigmaRelative: try r.double("read_noise.sigma_relative", in: 0...1))
        let irDrop = IRDrop(
            enabled: try r.bool("ir_drop.enabled"),
            wireOhmsPerSegment: try r.double("ir_drop.wire_ohms_per_segment", in: 0...1000))
        let dac = DACQuantizer(
            enabled: try r.bool("dac.enabled"),
            bits: try r.int("dac.bits", in: 2...16),
            bitSerial: try r.bool("dac.bit_serial"))
        let adc = ADCQuantizer(
            enabled: try r.bool("adc.enabled"),
            bits: try r.int("adc.bits", in: 4...12),
            fullScaleFraction: try r.double("adc.full_scale_fraction", in: 1e-6...1))
        let mismatch = ADCColumnMismatch(
            enabled: try r.bool("adc_mismatch.enabled"),
            gainStdRelative: try r.double("adc_mismatch.gain_std_relative", in: 0...0.2),
            offsetStdLSB: try r.double("adc_mismatch.offset_std_lsb", in: 0...100))
        let calibration = CalibrationSettings(
            referenceVectors: try r.int("calibration.reference_vectors", in: 2...100_000),
            referenceColumn: try r.bool("calibration.reference_column"),
            referenceColumnReads: try r.int("calibration.reference_column_reads", in: 1...10_000))
        let energy = EnergyModel(
            readVolts: try r.double("energy.read_volts", in: 0...10),
            readPulseSeconds: try r.double("energy.read_pulse_nanoseconds", in: 0...1e9) * 1e-9,
            dacEnergyJoules: try r.double("energy.dac_energy_femtojoules", in: 0...1e9) * 1e-15,
            adcMicrowattsPerBit: try r.double("energy.adc_microwatts_per_bit", in: 0...1e6),
            adcMicrowattsBase: try r.double("energy.adc_microwatts_base", in: 0...1e6),
            adcCycleSeconds: try r.double("energy.adc_cycle_nanoseconds", in: 1e-6...1e6) * 1e-9,
            digitalEnergyJoulesPerColumn: try r.double("energy.digital_energy_femtojoules_per_column", in: 0...1e9) * 1e-15,
            peripheryJoulesPerMVM: try r.double("energy.periphery_picojoules_per_mvm", in: 0...1e12) * 1e-12,
            staticWatts: try r.double("energy.static_milliwatts", in: 0...1e6) * 1e-3,
            boardOverheadWatts: try r.double("energy.board_overhead_milliwatts", in: 0...1e6) * 1e-3,
            supplyVolts: try r.double("energy.supply_volts", in: 0.1...60),
            hostLinkBytesPerSecond: try r.double("energy.host_link_megabytes_per_second", in: 1e-6...1e6) * 1e6)
        let thermal = try thermalProfile(from: &r)

        let physicalColumns = 2 * (columns + (calibration.referenceColumn ? 1 : 0))
        let loss = irDrop.worstCaseLoss(rows: rows, physicalColumns: physicalColumns, gMaxSiemens: mapping.gMaxSiemens)
        guard loss <= IRDrop.firstOrderLimit else {
            let limit = IRDrop.firstOrderLimit / (loss / irDrop.wireOhmsPerSegment)
            throw r.error(.inconsistent, key: "ir_drop.wire_ohms_per_segment",
                          related: ["geometry.rows", "geometry.columns", "conductance.g_max_micro_siemens"],
                          value: BoardFileReader.format(irDrop.wireOhmsPerSegment),
                          expected: "at most \(limit) Ω for this array and Gmax: beyond it a far cell loses over \(Int(IRDrop.firstOrderLimit * 100))% of its current and the first-order IR-drop model no longer holds")
        }

        return SimulatorConfiguration(
            name: name, technology: Technology(rawValue: technologyName) ?? .ideal, seed: UInt64(seed), tiles: tiles, rows: rows, columns: columns,
            columnsPerADC: columnsPerADC, mapping: mapping, programming: programming, programmingCost: cost,
            defaultPolicy: policy, endurance: endurance, stuckAt: stuckAt, drift: drift, temperature: temperature,
            readNoise: readNoise, irDrop: irDrop, dac: dac, adc: adc, adcMismatch: mismatch,
            calibration: calibration, energy: energy, thermal: thermal)
    }

    static let thermalKeys = ["thermal.celsius", "thermal.step_seconds", "thermal.step_celsius",
                              "thermal.ramp_start_celsius", "thermal.ramp_end_celsius",
                              "thermal.ramp_start_seconds", "thermal.ramp_duration_seconds"]

    private static func thermalProfile(from r: inout BoardFileReader) throws(BoardFileError) -> ThermalProfile {
        let kind = try r.string("thermal.profile", oneOf: ["fixed", "steps", "ramp"])
        // A board may switch profile from the one it inherits; the other
        // profile's keys are then the preset's leftovers, not the user's typos.
        r.allowInherited(thermalKeys)
        let celsius: ClosedRange<Double> = -55...150
        switch kind {
        case "steps":
            let seconds = try r.doubles("thermal.step_seconds", in: 0...1e12)
            let temps = try r.doubles("thermal.step_celsius", in: celsius)
            guard !seconds.isEmpty, seconds.count == temps.count else {
                throw r.error(.inconsistent, key: "thermal.step_celsius", related: ["thermal.step_seconds"], value: "\(temps.count) values",
                              expected: "as many values as thermal.step_seconds (\(seconds.count)), at least one")
            }
            guard zip(seconds, seconds.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw r.error(.inconsistent, key: "thermal.step_seconds", value: "\(seconds)", expected: "strictly increasing times")
            }
            return .steps(zip(seconds, temps).map { ThermalProfile.Step(atSeconds: $0, celsius: $1) })
        case "ramp":
            return .ramp(startCelsius: try r.double("thermal.ramp_start_celsius", in: celsius),
                         endCelsius: try r.double("thermal.ramp_end_celsius", in: celsius),
                         startSeconds: try r.double("thermal.ramp_start_seconds", in: 0...1e12),
                         durationSeconds: try r.double("thermal.ramp_duration_seconds", in: 0...1e12))
        default:
            return .fixed(celsius: try r.double("thermal.celsius", in: celsius))
        }
    }
}
