/// Input digital-to-analog conversion. With `bitSerial`, inputs are applied
/// as one binary pulse per magnitude bit (sign on the polarity) and the column
/// results are shifted and added after the ADC — more conversions, and each
/// slice meets the ADC's resolution on its own.
public struct DACQuantizer: Sendable, Hashable, Codable {
    /// The effect switch: off, inputs reach the rows unquantized.
    public var enabled: Bool
    public var bits: Int
    public var bitSerial: Bool

    public init(enabled: Bool, bits: Int, bitSerial: Bool) {
        self.enabled = enabled
        self.bits = bits
        self.bitSerial = bitSerial
    }

    public var codeMax: Int32 { Int32((1 << (bits - 1)) - 1) }

    /// Whether inputs are really applied bit by bit: only quantized inputs
    /// have bits, so with the effect off the input is one analog pulse.
    public var appliesBitSerial: Bool { enabled && bitSerial }

    /// Slices per input vector: one analog pulse, or one per magnitude bit.
    public var slices: Int { appliesBitSerial ? bits - 1 : 1 }

    /// The normalized input in [−1, 1] the rows see for an input in [−1, 1].
    @inlinable
    public func quantize(_ x: Float) -> Float {
        let clipped = max(-1, min(1, x))
        guard enabled else { return clipped }
        let m = Float(codeMax)
        return (clipped * m).rounded() / m
    }
}

extension DACQuantizer: BoardFileTable {
    /// Input resolutions the model computes: codes travel as 16-bit integers.
    public static let modelledBits = 2...16

    public static let parameters: [SimulatorParameter<Self>] = [
        .init("enabled", .flag(\.enabled), optional: .flag(false)),
        .init("bits", .integer(\.bits, range: modelledBits)),
        .init("bit_serial", .flag(\.bitSerial), whenOff: .flag(false)),
    ]
}
