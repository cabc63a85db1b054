import CIMHAL
@testable import CIMSimulator

/// Shared fixtures: random workloads and error measurement.
enum Fixture {
    static func weights(rows: Int, columns: Int, seed: UInt64 = 11, amplitude: Double = 0.5) throws -> WeightMatrix {
        var rng = SeededGenerator(seed: seed)
        return try WeightMatrix(rows: rows, columns: columns,
                                values: (0..<(rows * columns)).map { _ in Float(amplitude * rng.nextSignedUnit()) })
    }

    static func inputs(count: Int, rows: Int, seed: UInt64 = 12, amplitude: Double = 1) -> [[Float]] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in (0..<rows).map { _ in Float(amplitude * rng.nextSignedUnit()) } }
    }

    static func exact(_ w: WeightMatrix, _ x: [Float]) -> [Double] {
        (0..<w.columns).map { j in
            var s = 0.0
            for i in 0..<w.rows { s += Double(x[i]) * Double(w[i, j]) }
            return s
        }
    }

    /// ‖y − Wx‖ / ‖Wx‖ over all vectors, through the value path.
    static func relativeError(_ a: SimulatedAccelerator, _ w: WeightMatrix, _ xs: [[Float]], tile: Int = 0) throws -> Double {
        var out = [Float](repeating: 0, count: a.configuration.columns)
        var num = 0.0, den = 0.0
        for x in xs {
            try a.multiplyValues(tile: tile, input: x, into: &out)
            let y = exact(w, x)
            for j in 0..<w.columns {
                num += (Double(out[j]) - y[j]) * (Double(out[j]) - y[j])
                den += y[j] * y[j]
            }
        }
        return (num / den).squareRoot()
    }

    static func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }

    static func standardDeviation(_ xs: [Double]) -> Double {
        let m = mean(xs)
        return (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
    }
}
