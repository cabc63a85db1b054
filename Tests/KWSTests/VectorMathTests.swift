import CVectorMath
import Foundation
import Testing

/// The vectorised exp, sigmoid and tanh of the accelerator runtime's gates
/// (Sources/CVectorMath) against double-precision libm, over the whole
/// range where they are not clamped, and at the edges.
@Suite struct VectorMathTests {
    /// Every 1/64 from −87 to 88: 11,201 points, lanes of every alignment.
    static let sweep: [Float] = stride(from: -87.0, through: 88.0, by: 1.0 / 64).map { Float($0) }

    static func apply(_ f: (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void, _ x: [Float]) -> [Float] {
        var y = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { output in f(input.baseAddress, output.baseAddress, x.count) }
        }
        return y
    }

    @Test func expIsWithinTwoUlpOfTheCorrectlyRoundedValueFromMinus87To88() {
        let y = Self.apply(cimfw_exp, Self.sweep)
        var worst = 0.0
        for (x, e) in zip(Self.sweep, y) {
            let exact = Foundation.exp(Double(x))
            let ulp = Double(Float(exact).ulp)
            worst = max(worst, abs(Double(e) - exact) / ulp)
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
    }

    @Test func expClampsOutsideItsRangeAndPassesNaNThrough() {
        let y = Self.apply(cimfw_exp, [-1000, -87, 88, 1000, .infinity, -.infinity, .nan])
        #expect(y[0] == y[1] && y[1] > 0)
        #expect(y[2] == y[3] && y[3] == y[4] && y[2].isFinite)
        #expect(y[5] == y[1])
        #expect(y[6].isNaN)
    }

    @Test func sigmoidIsWithin2e7OfLibmAndSaturatesToZeroAndOne() {
        let x = Self.sweep.filter { abs($0) <= 40 } + [-1e30, 1e30]
        let y = Self.apply(cimfw_sigmoid, x)
        for (x, s) in zip(x, y) {
            let exact = 1 / (1 + Foundation.exp(-Double(x)))
            #expect(abs(Double(s) - exact) <= 2e-7, "sigmoid(\(x)) = \(s), libm \(exact)")
        }
        #expect(y[y.count - 2] >= 0 && y[y.count - 2] < 1e-37)
        #expect(y[y.count - 1] == 1)
    }

    @Test func tanhIsWithin1e6OfLibmAndSaturatesToMinusOneAndOne() {
        let x = Self.sweep.filter { abs($0) <= 40 } + [-1e30, 1e30]
        let y = Self.apply(cimfw_tanh, x)
        for (x, t) in zip(x, y) {
            #expect(abs(Double(t) - Foundation.tanh(Double(x))) <= 1e-6, "tanh(\(x)) = \(t)")
        }
        #expect(y[y.count - 2] == -1)
        #expect(y[y.count - 1] == 1)
    }

    @Test func anyLengthIncludingTheVectorTailsGivesTheSameValuesAsOneLongCall() {
        let long = Self.apply(cimfw_sigmoid, Array(Self.sweep.prefix(37)))
        for n in 0...37 {
            #expect(Self.apply(cimfw_sigmoid, Array(Self.sweep.prefix(n))) == Array(long.prefix(n)))
        }
    }
}
