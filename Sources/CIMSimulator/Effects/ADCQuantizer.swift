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

    /// The per-read stage: column sums `y` (normalized analog outputs)
    /// through each column's affine map (mismatch and trim folded in,
    /// `ADCColumnMismatch.columnMap`) to `codes`, and the normalized values
    /// passed on. Branch-free and vectorisable when enabled: clamp, then
    /// round by adding 1.5·2²³, whose low mantissa bits are the integer code
    /// and whose difference is the rounded value. Disabled, the conversion is
    /// ideal: the exact value passes on and the code is its rounding.
    @inlinable @inline(__always)
    public func digitize(_ y: UnsafePointer<Float>, columns: Int, slope: UnsafePointer<Float>, intercept: UnsafePointer<Float>,
                         lsb: Float, codes: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>) {
        if enabled {
            let codeMax = Float(self.codeMax)
            let magic: Float = 12_582_912
            for j in 0..<columns {
                let scaled = max(-codeMax, min(codeMax, y[j] * slope[j] + intercept[j])) + magic
                codes[j] = Int32(bitPattern: scaled.bitPattern) &- 0x4B40_0000
                values[j] = (scaled - magic) * lsb
            }
        } else {
            for j in 0..<columns {
                let scaled = y[j] * slope[j] + intercept[j]
                codes[j] = Int32(max(-2.0e9, min(2.0e9, scaled.rounded())))
                values[j] = scaled * lsb
            }
        }
    }
}

extension ADCQuantizer: BoardFileTable {
    /// Output resolutions the model computes exactly: codes round by the
    /// 1.5·2²³ trick, exact below 2²², and stay far inside Float's mantissa.
    public static let modelledBits = 2...16

    /// Resolutions a board file may ask for: a plausibility check on a chip
    /// description (this project's choice; the presets use 6 and 8 bits),
    /// narrower than what the model computes.
    public static let boardFileBits = 4...12

    public static let parameters: [SimulatorParameter<Self>] = [
        .init("enabled", .flag(\.enabled), optional: .flag(false)),
        .init("bits", .integer(\.bits, range: boardFileBits)),
        .init("full_scale_fraction", .real(\.fullScaleFraction, range: 1e-6...1, fileToModel: 1)),
    ]
}
