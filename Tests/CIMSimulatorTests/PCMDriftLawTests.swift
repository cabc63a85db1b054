import CIMHAL
import Foundation
import Testing
@testable import CIMSimulator

/// aihwkit's state-dependent PCM drift law (Nandakumar et al., ICECS 2019):
/// ν's mean and spread fall with the conductance state.
@Suite("PCM state-dependent drift exponent")
struct PCMDriftLawTests {
    @Test("the exponent follows the law's clamped mean and spread")
    func knownValues() {
        func nu(_ g: Double, _ z: Float) -> Double {
            Double(ConductanceDrift.stateDependentExponent(relativeConductance: g, z: z))
        }
        // At Gmax: μ = clamp(0.0244, 0.049, 0.1) = 0.049, σ = clamp(−0.0059, 0.008, 0.045) = 0.008.
        #expect(abs(nu(1, 0) - 0.049) < 1e-7)
        #expect(abs(nu(1, 1) - 0.057) < 1e-7)
        // At 1% of Gmax: μ = −0.0155·ln 0.01 + 0.0244 = 0.09578, σ clamps at 0.045.
        #expect(abs(nu(0.01, 0) - (-0.0155 * log(0.01) + 0.0244)) < 1e-7)
        #expect(abs(nu(0.01, 1) - (-0.0155 * log(0.01) + 0.0244 + 0.045)) < 1e-7)
        // In between, both are unclamped: g = 0.1.
        let mean = -0.0155 * log(0.1) + 0.0244, sigma = -0.0125 * log(0.1) - 0.0059
        #expect(abs(nu(0.1, 0.5) - (mean + 0.5 * sigma)) < 1e-7)
        // The magnitude is taken, not clipped: a far negative draw drifts too.
        #expect(abs(nu(1, -10) - 0.031) < 1e-7)
        // Zero conductance is read as 10⁻⁷ of Gmax: the slowest state's limits hold.
        #expect(abs(nu(0, 0) - 0.1) < 1e-7)
    }

    @Test("on a tile, cells at low conductance lose a larger fraction than cells near Gmax")
    func lowStatesDriftMore() throws {
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 64)
        // One scale for the matrix, so column j really sits at j/63 of the range.
        c.mapping = ConductanceMapping(gMinSiemens: 0.1e-6, gMaxSiemens: 25e-6, weightBits: 8, quantizesToLevels: false, perColumnScaling: false)
        c.drift = ConductanceDrift(enabled: true, exponentMean: 0, exponentStd: 0, referenceSeconds: 20, exponentLaw: .stateDependent)
        let accelerator = try SimulatedAccelerator(configuration: c)
        // Column j holds weight j/63 in every row: G⁺ climbs from Gmin to Gmax across the columns.
        let values = (0..<(64 * 64)).map { Float($0 % 64) / 63 }
        _ = try accelerator.program(tile: 0, weights: WeightMatrix(rows: 64, columns: 64, values: values), policy: .singleShot)
        /// Column j's weight summed over its 64 cells, so each cell's own draw averages out.
        func weight(_ j: Int) throws -> Double {
            try (0..<64).reduce(0.0) { sum, i in sum + Double(try #require(accelerator.effectiveNormalizedWeight(tile: 0, row: i, column: j))) }
        }
        let fresh = (try weight(4), try weight(63))
        accelerator.advance(seconds: 86_400)
        let lowLoss = 1 - (try weight(4)) / fresh.0, highLoss = 1 - (try weight(63)) / fresh.1
        // Over a day, (86420/20)^−ν at the law's mean ν: the pair at Gmax
        // (ν = 0.049) loses 33.6%, the pair at 1.7 µS (ν = 0.066, its
        // 0.1 µS partner 0.1) 41.7%.
        #expect(abs(highLoss - 0.336) < 0.01, "\(highLoss)")
        #expect(abs(lowLoss - 0.417) < 0.03, "\(lowLoss)")
    }

    @Test("the law's steepest cells (ν = 0.1 + 3·0.045) need 85 ms to move 0.1%: the refresh floor never binds")
    func theFloorNeverBinds() {
        let law = ConductanceDrift(enabled: true, exponentMean: 0, exponentStd: 0, referenceSeconds: 20, exponentLaw: .stateDependent)
        let seconds = law.referenceSeconds * (exp(1e-3 / law.steepestExponent) - 1)
        #expect(abs(seconds - 0.085) < 0.001)
        #expect(seconds > 5 * ConductanceDrift.minimumRefreshSeconds)
    }
}
