/// One bit field of a 16-bit register: the table entry drivers use instead of
/// hand-written shifts and masks (Zephyr's ina2xx channel tables in spirit).
public struct RegisterField: Sendable, Hashable {
    public let shift: Int
    public let width: Int

    public init(bits: ClosedRange<Int>) {
        shift = bits.lowerBound
        width = bits.count
    }

    public var mask: UInt16 { UInt16(truncatingIfNeeded: ((1 << width) - 1) << shift) }

    /// The field's value, right-aligned.
    public func get(_ word: UInt16) -> UInt16 { (word & mask) >> UInt16(shift) }

    /// `word` with this field replaced by `value` (extra high bits of `value` dropped).
    public func set(_ value: UInt16, in word: UInt16) -> UInt16 {
        (word & ~mask) | ((value << UInt16(shift)) & mask)
    }
}

/// The configuration-register fields shared by the INA226, INA260 and INA3221
/// (SBOS547 §7.6.1, SBOS656 §8.6.1, SBOS576 §8.6.2.1): the same bit positions
/// and the same code tables.
public enum INAConfigurationField {
    /// Writing 1 resets every register to its power-on value; self-clearing.
    public static let reset = RegisterField(bits: 15...15)
    public static let averaging = RegisterField(bits: 9...11)
    public static let busConversionTime = RegisterField(bits: 6...8)
    /// VSHCT on the INA226/INA3221, ISHCT on the INA260.
    public static let shuntConversionTime = RegisterField(bits: 3...5)
    public static let mode = RegisterField(bits: 0...2)
}

extension Int16 {
    /// A left-justified signed field (INA3221 bits 15:3, INA219 bus bits 15:3)
    /// as a signed count: the arithmetic shift keeps the sign bit.
    init(leftJustified raw: UInt16, droppingLowBits low: Int) {
        self = Int16(bitPattern: raw) >> Int16(low)
    }
}
