/// Per-column converter gain and offset errors, fixed at manufacture:
/// the column reads gain_j · y + offset_j · LSB, gain_j ~ N(1, gainStd),
/// offset_j ~ N(0, offsetStdLSB). Calibration exists to remove these.
public struct ADCColumnMismatch: Sendable, Hashable, Codable {
    public var enabled: Bool
    public var gainStdRelative: Double
    public var offsetStdLSB: Double

    public init(enabled: Bool, gainStdRelative: Double, offsetStdLSB: Double) {
        self.enabled = enabled
        self.gainStdRelative = gainStdRelative
        self.offsetStdLSB = offsetStdLSB
    }

    public static let off = ADCColumnMismatch(enabled: false, gainStdRelative: 0, offsetStdLSB: 0)

    public func draw(columns: Int, rng: inout SeededGenerator) -> (gain: [Float], offsetLSB: [Float]) {
        guard enabled else {
            return ([Float](repeating: 1, count: columns), [Float](repeating: 0, count: columns))
        }
        var gain = [Float](), offset = [Float]()
        for _ in 0..<columns {
            gain.append(Float(1 + gainStdRelative * rng.nextGaussian()))
            offset.append(Float(offsetStdLSB * rng.nextGaussian()))
        }
        return (gain, offset)
    }

    /// One column's converter as an affine map from the analog sum to the
    /// code before rounding: the mismatch (gain g, offset o LSB, when on),
    /// then the calibration trim undone — ((y·g + o·LSB) − trimOffset) /
    /// trimGain / LSB, folded into slope and intercept once per trim.
    @inlinable
    public func columnMap(gain: Float, offsetLSB: Float, inverseTrimGain: Float, trimOffset: Float,
                          lsb: Float) -> (slope: Float, intercept: Float) {
        let g: Float = enabled ? gain : 1
        let o: Float = enabled ? offsetLSB * lsb : 0
        let scale = inverseTrimGain / lsb
        return (g * scale, (o - trimOffset) * scale)
    }
}

extension ADCColumnMismatch: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("enabled", .flag(\.enabled), optional: .flag(false)),
        .init("gain_std_relative", .real(\.gainStdRelative, range: 0...0.2, fileToModel: 1), whenOff: .real(0)),
        .init("offset_std_lsb", .real(\.offsetStdLSB, range: 0...100, fileToModel: 1), whenOff: .real(0)),
    ]
}
