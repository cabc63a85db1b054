/// Column analog-to-digital conversion: a signed converter of `bits` bits
/// whose full scale is `fullScaleFraction` of the largest possible column
/// output (every row at full input on a full-range weight). Outputs beyond the
/// full scale clip.
///
/// The fraction is a design choice of the chip: a column of R random signed
/// products sums to about √R of one product, so a full scale of the whole R
/// would waste most codes; aihwkit's defaults clip at ±12 for its
/// normalized outputs (IBM aihwkit, Rasch et al., AICAS 2021).
public struct ADCQuantizer: Sendable, Hashable, Codable {
    /// The effect switch: off, the conversion is ideal (no rounding, no clipping).
    public var enabled: Bool
    public var bits: Int
    public var fullScaleFraction: Double

    public init(enabled: Bool, bits: Int, fullScaleFraction: Double) {
        self.enabled = enabled
        self.bits = bits
        self.fullScaleFraction = fullScaleFraction
    }

    public var codeMax: Int32 { Int32((1 << (bits - 1)) - 1) }

    /// Normalized column output per code, for a tile with `rows` rows.
    public func lsb(rows: Int) -> Float {
        Float(fullScaleFraction * Double(rows)) / Float(codeMax)
    }

    /// The code for a normalized column output `value` when one code is `lsb`.
    /// Disabled, the code is the ideal (unclipped) rounding, so the code
    /// interface stays meaningful.
    @inlinable
    public func code(_ value: Float, lsb: Float) -> Int32 {
        let scaled = (value / lsb).rounded()
        let m = Float(codeMax)
        if enabled { return Int32(max(-m, min(m, scaled))) }
        return Int32(max(-2.0e9, min(2.0e9, scaled)))
    }

    /// Round-to-nearest-even for |x| < 2^22 by the 1.5·2^23 trick: one add
    /// and one subtract, where `rounded()` is a libm call on baseline x86-64.
    @inlinable @inline(__always)
    static func fastRound(_ x: Float) -> Float { (x + 12_582_912) - 12_582_912 }

    /// Code and normalized value in one step, from `value · inverseLSB`.
    /// The hot path's converter.
    @inlinable @inline(__always)
    public func quantize(scaled: Float, codeMax m: Float) -> Float {
        if enabled { return Self.fastRound(max(-m, min(m, scaled))) }
        return max(-2.0e9, min(2.0e9, scaled)).rounded()
    }

    /// The normalized value an ADC stage passes on: the quantized value, or
    /// the exact input when disabled.
    @inlinable
    public func convert(_ value: Float, lsb: Float) -> Float {
        guard enabled else { return value }
        let m = Float(codeMax)
        return max(-m, min(m, (value / lsb).rounded())) * lsb
    }
}
