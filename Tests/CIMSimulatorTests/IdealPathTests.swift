import CIMHAL
import Testing
@testable import CIMSimulator

/// With every effect off, the simulator is an exact matrix multiplier.
@Suite struct IdealPathTests {
    @Test func everyEffectOffGivesTheExactProduct() throws {
        let c = SimulatorConfiguration.ideal(rows: 256, columns: 256)
        let accelerator = try SimulatedAccelerator(configuration: c)
        var rng = SeededGenerator(seed: 7)
        let values = (0..<(256 * 256)).map { _ in Float(0.5 * rng.nextSignedUnit()) }
        let weights = try WeightMatrix(rows: 256, columns: 256, values: values)
        _ = try accelerator.program(tile: 0, weights: weights, policy: .singleShot)
        var num = 0.0, den = 0.0
        var output = [Float](repeating: 0, count: 256)
        for _ in 0..<16 {
            let x = (0..<256).map { _ in Float(rng.nextSignedUnit()) }
            try accelerator.multiplyValues(tile: 0, input: x, into: &output)
            for j in 0..<256 {
                var exact = 0.0
                for i in 0..<256 { exact += Double(x[i]) * Double(weights[i, j]) }
                num += (Double(output[j]) - exact) * (Double(output[j]) - exact)
                den += exact * exact
            }
        }
        let relative = (num / den).squareRoot()
        #expect(relative < 1e-6, "relative error \(relative)")
    }
}
