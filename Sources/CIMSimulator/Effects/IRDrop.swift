/// IR drop on the array's wires, to first order in the wire resistance.
///
/// Layout: word lines (rows) are driven from column 0; bit lines (physical
/// columns) are sensed at a virtual ground below row R−1. Every wire segment
/// between adjacent cells has resistance r. To first order in r, the voltage a
/// cell loses is linear in the inputs, so the drop acts as a fixed
/// attenuation of each cell's conductance:
///
///   G_eff(i,p) = G(i,p) · (1 − r·(A(i,p) + B(i,p)))
///   A(i,p) = Σ_l G(i,l)·(min(l,p)+1)          — the word line feeding cells 0…p
///   B(i,p) = Σ_{k≥i} Σ_{m≤k} G(m,p)           — the bit line from row i down to the sense amp
///
/// Cells far from both the driver and the sense amp lose most, and A and B
/// grow with the square of the array size. `ResistiveNetwork` solves the full
/// network to check this model.
public struct IRDrop: Sendable, Hashable, Codable {
    public var enabled: Bool
    public var wireOhmsPerSegment: Double

    public init(enabled: Bool, wireOhmsPerSegment: Double) {
        self.enabled = enabled
        self.wireOhmsPerSegment = wireOhmsPerSegment
    }

    public static let off = IRDrop(enabled: false, wireOhmsPerSegment: 0)

    /// The largest first-order loss r·(A + B) any cell can see: the far
    /// corner with every cell at Gmax. The model is first-order, so it is
    /// trusted only while this stays small.
    public func worstCaseLoss(rows: Int, physicalColumns: Int, gMaxSiemens: Double) -> Double {
        guard enabled else { return 0 }
        let p = Double(physicalColumns), r = Double(rows)
        return wireOhmsPerSegment * gMaxSiemens * (p * (p + 1) / 2 + r * (r + 1) / 2)
    }

    /// Above this worst-case loss the first-order model is not trusted
    /// (the exact solve departs from it by more than a few percent).
    public static let firstOrderLimit = 0.25

    /// Attenuation factors G_eff/G for a rows x physicalColumns array in
    /// row-major order. All ones when disabled.
    public func attenuation(conductances g: [Double], rows: Int, physicalColumns: Int) -> [Double] {
        var factors = [Double](repeating: 1, count: g.count)
        var scratch = [Double](repeating: 0, count: max(rows, physicalColumns))
        g.withUnsafeBufferPointer { gp in
            factors.withUnsafeMutableBufferPointer { fp in
                scratch.withUnsafeMutableBufferPointer { sp in
                    attenuate(conductances: gp, rows: rows, physicalColumns: physicalColumns, factors: fp, scratch: sp)
                }
            }
        }
        return factors
    }

    /// `attenuation` into caller-owned buffers (`scratch` holds max(rows, physicalColumns)).
    public func attenuate(conductances g: UnsafeBufferPointer<Double>, rows: Int, physicalColumns: Int,
                          factors: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>) {
        for n in 0..<(rows * physicalColumns) { factors[n] = 1 }
        guard enabled, wireOhmsPerSegment > 0 else { return }
        let r = wireOhmsPerSegment
        // Word lines: A(i,p) = Σ_{k≤p} T(k) with T(k) = Σ_{l≥k} G(i,l).
        for i in 0..<rows {
            let base = i * physicalColumns
            var acc = 0.0
            for p in stride(from: physicalColumns - 1, through: 0, by: -1) {
                acc += g[base + p]
                scratch[p] = acc
            }
            var a = 0.0
            for p in 0..<physicalColumns {
                a += scratch[p]
                factors[base + p] -= r * a
            }
        }
        // Bit lines: B(i,p) = Σ_{k≥i} S(k) with S(k) = Σ_{m≤k} G(m,p).
        for p in 0..<physicalColumns {
            var s = 0.0
            for k in 0..<rows {
                s += g[k * physicalColumns + p]
                scratch[k] = s
            }
            var b = 0.0
            for i in stride(from: rows - 1, through: 0, by: -1) {
                b += scratch[i]
                factors[i * physicalColumns + p] -= r * b
            }
        }
        for n in 0..<(rows * physicalColumns) { factors[n] = max(0, factors[n]) }
    }
}

extension IRDrop: ConductanceStage {
    /// Attenuates each cell by the drop the conductances around it cause;
    /// programming (which invalidates the fold) is the only thing that moves it.
    public func fold(_ g: UnsafeMutableBufferPointer<Double>, cellParameters: UnsafeBufferPointer<Float>, in array: ConductanceFold) {
        guard enabled, wireOhmsPerSegment > 0 else { return }
        let factors = array.cellScratch
        attenuate(conductances: UnsafeBufferPointer(g), rows: array.rows, physicalColumns: array.physicalColumns,
                  factors: factors, scratch: array.lineScratch)
        for n in 0..<g.count { g[n] *= factors[n] }
    }
}

extension IRDrop: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("enabled", .flag(\.enabled), optional: .flag(false)),
        .init("wire_ohms_per_segment", .real(\.wireOhmsPerSegment, range: 0...1000, fileToModel: 1), whenOff: .real(0)),
    ]

    /// A wire resistance beyond what the first-order model holds for this array and Gmax.
    @Sendable static func violation(_ c: SimulatorConfiguration) -> ParameterViolation? {
        let ir = c.irDrop
        let physicalColumns = 2 * (c.columns + (c.calibration.referenceColumn ? 1 : 0))
        let loss = ir.worstCaseLoss(rows: c.rows, physicalColumns: physicalColumns, gMaxSiemens: c.mapping.gMaxSiemens)
        guard loss > firstOrderLimit else { return nil }
        let limit = firstOrderLimit / (loss / ir.wireOhmsPerSegment)
        return ParameterViolation(key: "ir_drop.wire_ohms_per_segment",
                                  related: ["geometry.rows", "geometry.columns", "conductance.g_max_micro_siemens"],
                                  value: ParameterViolation.format(ir.wireOhmsPerSegment),
                                  expected: "at most \(limit) Ω for this array and Gmax: beyond it a far cell loses over \(Int(firstOrderLimit * 100))% of its current and the first-order IR-drop model no longer holds")
    }
}
