/// The exact DC solution of a crossbar with resistive wires, to check the
/// first-order `IRDrop` model against (tests and characterisation; far too
/// slow for every MVM).
///
/// Unknowns are the word-line node voltages u(i,p) and bit-line node voltages
/// v(i,p). Word line i is driven at `rowVolts[i]` through one segment before
/// column 0 and is open after the last column; bit line p is open above row 0
/// and reaches the sense amp's virtual ground (0 V) through one segment below
/// row R−1. Kirchhoff's current law at every node gives a symmetric positive
/// definite system, solved by alternating line relaxation: with the bit
/// lines fixed, each word line is a tridiagonal system (Thomas algorithm), and
/// vice versa. Coupling through the cells is weak next to the wires, so the
/// sweeps converge fast.
public struct ResistiveNetwork: Sendable {
    public let rows: Int
    public let physicalColumns: Int
    public let wireOhmsPerSegment: Double
    /// Row-major cell conductances.
    public let conductances: [Double]

    public init(rows: Int, physicalColumns: Int, wireOhmsPerSegment: Double, conductances: [Double]) {
        precondition(conductances.count == rows * physicalColumns, "conductance count must match the array")
        precondition(wireOhmsPerSegment > 0, "the exact solve needs a positive wire resistance")
        self.rows = rows
        self.physicalColumns = physicalColumns
        self.wireOhmsPerSegment = wireOhmsPerSegment
        self.conductances = conductances
    }

    public struct Solution: Sendable {
        /// Current into the sense amp of each physical column, amperes.
        public var columnCurrentsAmps: [Double]
        public var sweeps: Int
        public var converged: Bool
    }

    public func solve(rowVolts: [Double], tolerance: Double = 1e-13, maxSweeps: Int = 500) -> Solution {
        precondition(rowVolts.count == rows, "one voltage per row")
        let R = rows, P = physicalColumns
        let w = 1 / wireOhmsPerSegment
        var u = [Double](repeating: 0, count: R * P)
        var v = [Double](repeating: 0, count: R * P)
        for i in 0..<R { for p in 0..<P { u[i * P + p] = rowVolts[i] } }

        let n = max(R, P)
        var lower = [Double](repeating: 0, count: n), diag = lower, upper = lower, rhs = lower, x = lower
        var sweeps = 0
        var converged = false
        while sweeps < maxSweeps {
            sweeps += 1
            var change = 0.0
            // Word lines: w(u[p-1] − u[p]) + w(u[p+1] − u[p]) − G(u[p] − v[p]) = 0.
            for i in 0..<R {
                for p in 0..<P {
                    let g = conductances[i * P + p]
                    lower[p] = p > 0 ? -w : 0
                    upper[p] = p < P - 1 ? -w : 0
                    diag[p] = w + (p < P - 1 ? w : 0) + g
                    rhs[p] = g * v[i * P + p] + (p == 0 ? w * rowVolts[i] : 0)
                }
                Self.solveTridiagonal(lower: lower, diag: diag, upper: upper, rhs: rhs, count: P, into: &x)
                for p in 0..<P {
                    change = max(change, abs(x[p] - u[i * P + p]))
                    u[i * P + p] = x[p]
                }
            }
            // Bit lines: w(v[i-1] − v[i]) + w(v[i+1] − v[i]) + G(u[i] − v[i]) = 0, v[R] = 0.
            for p in 0..<P {
                for i in 0..<R {
                    let g = conductances[i * P + p]
                    lower[i] = i > 0 ? -w : 0
                    upper[i] = i < R - 1 ? -w : 0
                    diag[i] = (i > 0 ? w : 0) + w + g
                    rhs[i] = g * u[i * P + p]
                }
                Self.solveTridiagonal(lower: lower, diag: diag, upper: upper, rhs: rhs, count: R, into: &x)
                for i in 0..<R {
                    change = max(change, abs(x[i] - v[i * P + p]))
                    v[i * P + p] = x[i]
                }
            }
            let scale = rowVolts.map(abs).max() ?? 1
            if change <= tolerance * max(scale, 1e-30) {
                converged = true
                break
            }
        }
        let currents = (0..<P).map { p in v[(R - 1) * P + p] * w }
        return Solution(columnCurrentsAmps: currents, sweeps: sweeps, converged: converged)
    }

    /// Thomas algorithm; `lower[0]` and `upper[count-1]` are ignored.
    static func solveTridiagonal(lower: [Double], diag: [Double], upper: [Double], rhs: [Double], count: Int, into x: inout [Double]) {
        var c = [Double](repeating: 0, count: count)
        var d = [Double](repeating: 0, count: count)
        c[0] = upper[0] / diag[0]
        d[0] = rhs[0] / diag[0]
        for k in 1..<count {
            let m = diag[k] - lower[k] * c[k - 1]
            c[k] = upper[k] / m
            d[k] = (rhs[k] - lower[k] * d[k - 1]) / m
        }
        x[count - 1] = d[count - 1]
        for k in stride(from: count - 2, through: 0, by: -1) {
            x[k] = d[k] - c[k] * x[k + 1]
        }
    }
}
