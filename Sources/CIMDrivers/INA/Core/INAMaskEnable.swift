/// The Mask/Enable register (06h) of the INA226 and INA260 (SBOS547 §7.6.7,
/// SBOS656 §8.6.5): bits 15–10 choose what drives ALERT, bits 4–0 are flags
/// and pin options. On the INA260 bits 15/14 compare the current register
/// (OCL/UCL) instead of the shunt voltage (SOL/SUL).
public struct INAMaskEnable: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let shuntOverLimit = Self(rawValue: 1 << 15)
    public static let shuntUnderLimit = Self(rawValue: 1 << 14)
    public static let busOverLimit = Self(rawValue: 1 << 13)
    public static let busUnderLimit = Self(rawValue: 1 << 12)
    public static let powerOverLimit = Self(rawValue: 1 << 11)
    public static let conversionReadyAlert = Self(rawValue: 1 << 10)
    /// AFF: the selected alert function fired (latched if `latchEnable`).
    public static let alertFunctionFlag = Self(rawValue: 1 << 4)
    /// CVRF: conversion, averaging and multiplication complete; cleared by
    /// reading this register or writing the configuration register.
    public static let conversionReadyFlag = Self(rawValue: 1 << 3)
    /// OVF: the current or power arithmetic overflowed.
    public static let mathOverflowFlag = Self(rawValue: 1 << 2)
    public static let alertActiveHigh = Self(rawValue: 1 << 1)
    public static let latchEnable = Self(rawValue: 1 << 0)

    /// The five limit-compare functions; only one can be active (the highest wins in the chip).
    public static let limitFunctions: Self = [.shuntOverLimit, .shuntUnderLimit, .busOverLimit, .busUnderLimit, .powerOverLimit]
}

/// What drives the ALERT pin of an INA226 / INA260, with the limit in SI
/// units; the driver writes it into the alert-limit register (07h) in the
/// format of the register it is compared with (SBOS547 §7.6.8).
public enum INAAlertFunction: Sendable, Hashable {
    /// INA226: shunt voltage above; INA260: current above (`overCurrentAmps`).
    case shuntOverVolts(Double)
    case shuntUnderVolts(Double)
    case overCurrentAmps(Double)
    case underCurrentAmps(Double)
    case busOverVolts(Double)
    case busUnderVolts(Double)
    case powerOverWatts(Double)
    /// ALERT follows conversion-ready; no limit.
    case conversionReady
}
