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
}
