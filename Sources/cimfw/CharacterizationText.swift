import CIMSimulator
import Foundation

/// The human-readable form of a characterisation report.
enum CharacterizationText {
    static func render(_ r: CharacterizationReport, boardPath: String) -> String {
        var out: [String] = []
        func line(_ s: String = "") { out.append(s) }
        func pct(_ x: Double) -> String { String(format: "%7.3f %%", 100 * x) }
        func eng(_ x: Double, _ unit: String) -> String {
            let prefixes: [(Double, String)] = [(1e-15, "f"), (1e-12, "p"), (1e-9, "n"), (1e-6, "µ"), (1e-3, "m"), (1, ""), (1e3, "k")]
            var chosen = prefixes[0]
            for p in prefixes where abs(x) >= p.0 { chosen = p }
            return String(format: "%.3f %@%@", x / chosen.0, chosen.1, unit)
        }
        line("cimfw characterize — \(r.board) (\(r.technology.rawValue)) from \(boardPath), seed \(r.seed)")
        line("tile \(r.rows)x\(r.columns), \(r.testVectors) random vectors (W ~ U(±0.5), x ~ U(±1)), measured \(Int(r.ageSeconds)) s after programming at \(String(format: "%.1f", r.dieCelsius)) °C")
        line()
        line("MVM relative error ‖y − Wx‖/‖Wx‖     before cal    after cal")
        line("  all effects                       \(pct(r.total.beforeCalibration))    \(pct(r.total.afterCalibration))")
        for e in r.perEffect {
            line("  " + e.effect.rawValue.padding(toLength: 34, withPad: " ", startingAt: 0)
                 + "\(pct(e.error.beforeCalibration))    \(pct(e.error.afterCalibration))")
        }
        if !r.effectsOff.isEmpty {
            line("  off in this board: " + r.effectsOff.map(\.rawValue).joined(separator: ", "))
        }
        line()
        let p = r.programming
        line("Programming (tile \(p.tile), \(p.cellsProgrammed) cells)")
        line("  pulses \(p.totalPulses) (max \(p.maxPulsesOnOneCell) on one cell), outside tolerance \(p.cellsOutsideTolerance)")
        line("  RMS conductance error \(pct(p.rmsErrorRelative)) of range; stuck ON \(p.stuckOnCells), stuck OFF \(p.stuckOffCells), worn out \(p.wornOutCells)")
        line("  time \(eng(p.durationSeconds, "s")), energy \(eng(p.energyJoules, "J"))")
        line("Calibration: \(r.calibration.gain.count) columns, gain \(String(format: "%.3f", r.calibration.gain.min() ?? 0))…\(String(format: "%.3f", r.calibration.gain.max() ?? 0)), \(eng(r.calibration.durationSeconds, "s")), \(eng(r.calibration.energyJoules, "J"))")
        line()
        let e = r.energy
        line("Energy per \(r.rows)x\(r.columns) MVM")
        line("  DAC \(eng(e.mvm.dacJoules, "J")), cells \(eng(e.mvm.cellReadJoules, "J")), ADC \(eng(e.mvm.adcJoules, "J")), column digital \(eng(e.mvm.digitalJoules, "J")), buffers \(eng(e.mvm.bufferJoules, "J")), control \(eng(e.mvm.controlJoules, "J"))" + (e.mvm.peripheryJoules > 0 ? ", fitted periphery \(eng(e.mvm.peripheryJoules, "J"))" : ""))
        line("  core (dynamic) \(eng(e.mvmDynamicJoules, "J")); + static \(eng(e.staticJoulesPerMVM, "J")) + board \(eng(e.boardOverheadJoulesPerMVM, "J")) = system \(eng(e.systemJoulesPerMVM, "J"))")
        line("  array time \(eng(e.mvmSeconds, "s")), host link \(eng(e.hostLinkSeconds, "s")), average power \(eng(e.averagePowerWatts, "W"))")
        let t = r.throughput
        line("Throughput: peak \(String(format: "%.3f", t.peakTOPSPerTile)) TOPS per tile, \(String(format: "%.2f", t.peakTOPSChip)) TOPS chip; effective \(String(format: "%.5f", t.effectiveTOPS)) TOPS (one tile, host link)")
        line("Efficiency: core \(String(format: "%.2f", t.coreTOPSPerWatt)) TOPS/W; chip, every tile busy \(String(format: "%.2f", t.chipTOPSPerWatt)) TOPS/W; system \(String(format: "%.4f", t.systemTOPSPerWatt)) TOPS/W")
        if let published = t.publishedTOPSPerWatt, let ratio = t.derivedOverPublished {
            line("  derived from components, against the chip's published \(String(format: "%.2f", published)) TOPS/W (energy.published_tops_per_watt): \(String(format: "%+.0f%%", 100 * (ratio - 1)))")
        }
        let b = r.digitalBaseline
        func times(_ x: Double) -> String { x >= 1 ? String(format: "%.1fx less", x) : String(format: "%.1fx more", 1 / x) }
        line("Digital baseline (45 nm: 4.5 pJ per 32-bit MAC, 640 pJ per DRAM byte), same MVM:")
        line("  arithmetic \(eng(b.computeJoulesPerMVM, "J")) + weights and activations from DRAM \(eng(b.dataMovementJoulesPerMVM, "J")) = \(eng(b.streamedJoulesPerMVM, "J"))")
        line("  CIM core uses \(times(b.coreAdvantageOverStreamed)) energy than streamed, \(times(b.coreAdvantageOverCompute)) than arithmetic alone")
        line("  CIM system uses \(times(b.systemAdvantageOverStreamed)) energy than streamed, \(times(b.systemAdvantageOverCompute)) than arithmetic alone")
        return out.joined(separator: "\n")
    }
}
