import CIMHAL
import Testing
@testable import CIMSimulator

@Suite struct ConductanceMappingTests {
    let mapping = ConductanceMapping(gMinSiemens: 1e-6, gMaxSiemens: 39e-6, weightBits: 4, quantizesToLevels: true, perColumnScaling: true)

    @Test func signedWeightsBecomeDifferentialPairsInsideTheRange() {
        for u in stride(from: -1.0, through: 1.0, by: 0.125) {
            let (plus, minus) = mapping.pair(forNormalized: u)
            #expect(plus >= 1e-6 && plus <= 39e-6 && minus >= 1e-6 && minus <= 39e-6)
            #expect(abs((plus - minus) / mapping.rangeSiemens - u) < 1e-12)
            #expect(min(plus, minus) == 1e-6, "one side of the pair rests at Gmin")
        }
    }

    @Test func quantisationSnapsToTwoToTheBitsLevelsPerPolarity() {
        var seen = Set<Double>()
        for k in 0...2000 {
            let u = mapping.normalizedTarget(weight: Double(k) / 1000 - 1, scale: 1)
            seen.insert(u)
            #expect(abs(u - (Double(k) / 1000 - 1)) <= 0.5 / 15 + 1e-12, "error within half a level")
        }
        #expect(seen.count == 31, "15 steps each side of zero for 4-bit cells")
    }

    @Test func turningQuantisationOffKeepsTheExactWeight() {
        var m = mapping
        m.quantizesToLevels = false
        #expect(m.normalizedTarget(weight: 0.123, scale: 0.5) == 0.123 / 0.5)
    }

    @Test func eachColumnIsScaledByItsLargestWeight() throws {
        let w = try WeightMatrix(rows: 2, columns: 3, values: [0.1, -2, 0, -0.4, 1, 0])
        #expect(mapping.columnScales(of: w) == [Double(Float(0.4)), 2, 1], "an all-zero column gets a unit scale")
        var global = mapping
        global.perColumnScaling = false
        #expect(global.columnScales(of: w) == [2, 2, 2])
    }

    @Test func weightLevelErrorShrinksWithMoreBits() throws {
        let w = try Fixture.weights(rows: 64, columns: 64)
        let xs = Fixture.inputs(count: 8, rows: 64)
        var errors: [Double] = []
        for bits in [4, 6, 8] {
            var c = SimulatorConfiguration.ideal()
            c.mapping.quantizesToLevels = true
            c.mapping.weightBits = bits
            let a = try SimulatedAccelerator(configuration: c)
            _ = try a.program(tile: 0, weights: w, policy: .singleShot)
            errors.append(try Fixture.relativeError(a, w, xs))
        }
        #expect(errors[0] > 3 * errors[1] && errors[1] > 3 * errors[2], "each 2 bits cut the error about 4x: \(errors)")
    }
}
