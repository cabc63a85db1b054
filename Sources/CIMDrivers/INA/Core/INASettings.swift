import CIMHAL

/// Number of samples a conversion block-averages (AVG field; SBOS547 Table 7-3,
/// same codes on the INA260 and INA3221).
public enum INAAveraging: UInt16, CaseIterable, Sendable {
    case samples1 = 0, samples4, samples16, samples64, samples128, samples256, samples512, samples1024

    public var sampleCount: Int { [1, 4, 16, 64, 128, 256, 512, 1024][Int(rawValue)] }
}

/// ADC conversion time of one sample (VBUSCT / VSHCT / ISHCT fields;
/// SBOS547 Tables 7-4 and 7-5).
public enum INAConversionTime: UInt16, CaseIterable, Sendable {
    case us140 = 0, us204, us332, us588, us1100, us2116, us4156, us8244

    public var microseconds: Int { [140, 204, 332, 588, 1100, 2116, 4156, 8244][Int(rawValue)] }
    public var seconds: Double { Double(microseconds) * 1e-6 }
}

/// MODE field (SBOS547 Table 7-6; SBOS448 Table 6 uses the same codes, with
/// 100b meaning "ADC off" rather than power-down — the same thing to a host).
public enum INAOperatingMode: UInt16, CaseIterable, Sendable {
    case powerDown = 0, shuntTriggered, busTriggered, shuntAndBusTriggered
    case powerDownAlternate, shuntContinuous, busContinuous, shuntAndBusContinuous

    public var measuresShunt: Bool { rawValue & 0b001 != 0 }
    public var measuresBus: Bool { rawValue & 0b010 != 0 }
    /// 100b has the continuous bit set but powers the ADCs down.
    public var isContinuous: Bool { rawValue & 0b100 != 0 && rawValue != 4 }
    public var isPoweredDown: Bool { rawValue == 0 || rawValue == 4 }
}

/// What the ID registers (FEh, FFh) say.
public struct INAIdentity: Sendable, Hashable {
    public let manufacturerID: UInt16
    public let dieID: UInt16
}

/// Texas Instruments' manufacturer ID, "TI" in ASCII (SBOS547 §7.6.9).
public let inaManufacturerIDTexasInstruments: UInt16 = 0x5449

extension INAAveraging {
    /// The code for `count` samples; a count the chip does not offer is an error.
    public static func matching(_ count: Int) throws(HALError) -> INAAveraging {
        guard let code = allCases.first(where: { $0.sampleCount == count }) else {
            throw .invalidArgument("averaging \(count) is not one of \(allCases.map(\.sampleCount))")
        }
        return code
    }
}

extension INAConversionTime {
    /// The code for a conversion of `microseconds`; a time the chip does not offer is an error.
    public static func matching(_ microseconds: Int) throws(HALError) -> INAConversionTime {
        guard let code = allCases.first(where: { $0.microseconds == microseconds }) else {
            throw .invalidArgument("conversion time \(microseconds) µs is not one of \(allCases.map(\.microseconds))")
        }
        return code
    }
}
