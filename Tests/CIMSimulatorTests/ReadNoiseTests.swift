import CIMHAL
import Testing
@testable import CIMSimulator

@Suite struct ReadNoiseTests {
    @Test func theFastGaussianHasUnitVarianceAndZeroMean() {
        var rng = SeededGenerator(seed: 9)
        let draws = (0..<200_000).map { _ in Double(rng.nextFastGaussian()) }
        #expect(abs(Fixture.mean(draws)) < 0.01)
        #expect(abs(Fixture.standardDeviation(draws) - 1) < 0.01)
        let beyondTwoSigma = Double(draws.filter { abs($0) > 2 }.count) / Double(draws.count)
        #expect(abs(beyondTwoSigma - 0.0455) < 0.005, "normal tails: 4.55% beyond 2σ, got \(beyondTwoSigma)")
    }

    @Test func outputNoiseIsSigmaTimesTheInputNorm() throws {
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 64)
        c.readNoise = ReadNoise(enabled: true, sigmaRelative: 0.02)
        let a = try SimulatedAccelerator(configuration: c)
        let w = try Fixture.weights(rows: 64, columns: 64)
        _ = try a.program(tile: 0, weights: w, policy: .singleShot)
        let x = Fixture.inputs(count: 1, rows: 64)[0]
        let norm = Double(x.map { $0 * $0 }.reduce(0, +)).squareRoot()
        let exact = Fixture.exact(w, x)
        let scales = c.mapping.columnScales(of: w)
        var deviations: [Double] = []
        var out = [Float](repeating: 0, count: 64)
        for _ in 0..<200 {
            try a.multiplyValues(tile: 0, input: x, into: &out)
            // In normalized units: divide out each column's weight scale.
            for j in 0..<64 { deviations.append((Double(out[j]) - exact[j]) / scales[j]) }
        }
        let sigma = Fixture.standardDeviation(deviations)
        #expect(abs(sigma / (0.02 * norm) - 1) < 0.05, "σ \(sigma) vs 0.02·‖x‖ = \(0.02 * norm)")
        #expect(abs(Fixture.mean(deviations)) < 0.05 * sigma)
    }
}
