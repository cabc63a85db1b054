import CIMHAL
import Testing
@testable import CIMSimulator

@Suite struct IRDropTests {
    /// A tile with only IR drop on, programmed with random weights.
    func tile(size: Int, ohms: Double) throws -> (SimulatedAccelerator, WeightMatrix) {
        var c = SimulatorConfiguration.ideal(rows: size, columns: size)
        c.irDrop = IRDrop(enabled: true, wireOhmsPerSegment: ohms)
        let a = try SimulatedAccelerator(configuration: c)
        let w = try Fixture.weights(rows: size, columns: size)
        _ = try a.program(tile: 0, weights: w, policy: .singleShot)
        return (a, w)
    }

    @Test func cellsFartherFromDriverAndSenseAmpLoseMore() {
        let rows = 16, physical = 32
        let g = [Double](repeating: 20e-6, count: rows * physical)
        let f = IRDrop(enabled: true, wireOhmsPerSegment: 1).attenuation(conductances: g, rows: rows, physicalColumns: physical)
        for i in 0..<rows {
            for p in 1..<physical { #expect(f[i * physical + p] < f[i * physical + p - 1], "farther along the word line") }
        }
        for p in 0..<physical {
            for i in 1..<rows { #expect(f[i * physical + p] > f[(i - 1) * physical + p], "closer to the sense amp at the bottom") }
        }
        #expect(f[0 * physical + physical - 1] == f.min(), "the corner far from both loses most")
    }

    @Test func errorGrowsWithArraySize() throws {
        var errors: [Double] = []
        for size in [32, 64, 128] {
            let (a, w) = try tile(size: size, ohms: 0.05)
            errors.append(try Fixture.relativeError(a, w, Fixture.inputs(count: 8, rows: size)))
        }
        // First-order drop scales with the square of the line length.
        #expect(errors[1] > 2.5 * errors[0] && errors[2] > 2.5 * errors[1], "\(errors)")
    }

    @Test func theExactSolveConservesCurrentAndMatchesOhmsLawWhenWiresVanish() {
        let rows = 8, physical = 12
        var rng = SeededGenerator(seed: 4)
        let g = (0..<(rows * physical)).map { _ in 1e-6 + 38e-6 * rng.nextUnitDouble() }
        let v = (0..<rows).map { _ in 0.2 * rng.nextSignedUnit() }
        let tiny = ResistiveNetwork(rows: rows, physicalColumns: physical, wireOhmsPerSegment: 1e-9, conductances: g).solve(rowVolts: v)
        #expect(tiny.converged)
        for p in 0..<physical {
            var ideal = 0.0
            for i in 0..<rows { ideal += v[i] * g[i * physical + p] }
            #expect(abs(tiny.columnCurrentsAmps[p] - ideal) <= 1e-9 * max(abs(ideal), 1e-9))
        }
    }

    @Test func theFastModelTracksTheExactSolve() throws {
        let size = 32, ohms = 2.0
        let (a, w) = try tile(size: size, ohms: ohms)
        let c = a.configuration
        let g = try #require(a.programmedConductances(tile: 0))
        let network = ResistiveNetwork(rows: size, physicalColumns: 2 * size, wireOhmsPerSegment: ohms, conductances: g)
        let scales = c.mapping.columnScales(of: w)
        var fastDeviation = 0.0, exactDeviation = 0.0, mismatch = 0.0, signal = 0.0
        var out = [Float](repeating: 0, count: size)
        for x in Fixture.inputs(count: 8, rows: size) {
            try a.multiplyValues(tile: 0, input: x, into: &out)
            let volts = x.map { Double($0) * c.energy.readVolts }
            let solution = network.solve(rowVolts: volts)
            #expect(solution.converged)
            for j in 0..<size {
                var ideal = 0.0
                for i in 0..<size { ideal += Double(x[i]) * (g[i * 2 * size + 2 * j] - g[i * 2 * size + 2 * j + 1]) }
                ideal *= scales[j] / c.mapping.rangeSiemens
                let exact = (solution.columnCurrentsAmps[2 * j] - solution.columnCurrentsAmps[2 * j + 1])
                    / (c.energy.readVolts * c.mapping.rangeSiemens) * scales[j]
                signal += ideal * ideal
                fastDeviation += (Double(out[j]) - ideal) * (Double(out[j]) - ideal)
                exactDeviation += (exact - ideal) * (exact - ideal)
                mismatch += (Double(out[j]) - exact) * (Double(out[j]) - exact)
            }
        }
        let relativeMismatch = (mismatch / exactDeviation).squareRoot()
        let irError = (exactDeviation / signal).squareRoot()
        #expect(irError > 0.01 && irError < 0.2, "a regime where IR drop matters but stays first-order: \(irError)")
        #expect(relativeMismatch < 0.1, "the first-order model explains over 90% of the exact IR-drop error (off by \(relativeMismatch))")
    }
}
