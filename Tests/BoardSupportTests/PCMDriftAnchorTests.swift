import BoardSupport
import CIMSimulator
import Testing

/// sim-pcm's drift against aihwkit 1.2.0 (PCMLikeNoiseModel, whose drift law
/// sim-pcm uses, with GlobalDriftCompensation) on the same workload as
/// `cimfw characterize` — 256x256 weights ~ U(±0.5), 64 inputs ~ U(±1) —
/// measured on this machine class: MVM error from drift alone 22.7% (1 h)
/// and 33.8% (1 day) uncompensated, 4.3% and 6.9% after compensation.
/// sim-pcm compensates by calibration, aihwkit by one global factor, so the
/// two agree to within a tenth, not exactly.
@Suite("sim-pcm drift anchored to aihwkit's PCM model")
struct PCMDriftAnchorTests {
    @Test("drift alone, before and after calibration, within 10% of aihwkit's at one hour and one day",
          arguments: [(3600.0, 0.227, 0.043), (86_400.0, 0.338, 0.069)])
    func matchesAihwkit(ageSeconds: Double, uncompensated: Double, compensated: Double) throws {
        let c = try BoardFile.loadSimulated(path: Presets.directory.appendingPathComponent("sim-pcm.toml").path)
        #expect(c.drift.exponentLaw == .stateDependent)
        let run = try Characterization(configuration: c, ageSeconds: ageSeconds).run(c.keepingOnly(.drift))
        #expect(abs(run.error.beforeCalibration / uncompensated - 1) < 0.1, "before calibration \(run.error.beforeCalibration)")
        #expect(abs(run.error.afterCalibration / compensated - 1) < 0.1, "after calibration \(run.error.afterCalibration)")
    }
}
