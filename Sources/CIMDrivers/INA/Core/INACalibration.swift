import CIMHAL

/// The calibration register value and the current LSB it implies, for the
/// INA219/INA226 generation where CAL = coefficient / (Current_LSB × R)
/// (SBOS547 §7.5 eq. 1–2; SBOS448 §8.5.1 eq. 1–2; TI SBOA511A).
public struct INACalibration: Sendable, Hashable {
    /// The value written to the calibration register.
    public let register: UInt16
    /// Amperes per count of the current register, as the written CAL implies.
    public let currentLSBAmps: Double
    /// Amperes per count of the power register divided by volts: Power_LSB / Current_LSB.
    public let powerLSBFactor: Double

    public var powerLSBWatts: Double { powerLSBFactor * currentLSBAmps }

    /// INA226: CAL = trunc(0.00512 / (Current_LSB × R)), 15 bits (FS14:FS0;
    /// bit 15 reserved — RobTillaart/INA226#47), Power_LSB = 25 × Current_LSB.
    ///
    /// `currentLSBAmps` nil uses the finest LSB, maxExpectedCurrentAmps / 2^15
    /// (eq. 2). A coarser round value may be given, as the datasheet's worked
    /// example does (1 mA for 10 A); a finer one is rejected because the
    /// current register would overflow below the maximum current.
    public static func ina226(shuntMicroOhms: Double, maxExpectedCurrentAmps: Double,
                              currentLSBAmps: Double? = nil) throws(HALError) -> INACalibration {
        try INACalibration(chip: "INA226", coefficient: 0.00512, maximum: 0x7FFF, evenOnly: false,
                           powerLSBFactor: 25, shuntMicroOhms: shuntMicroOhms,
                           maxExpectedCurrentAmps: maxExpectedCurrentAmps, currentLSBAmps: currentLSBAmps)
    }

    /// INA219: CAL = trunc(0.04096 / (Current_LSB × R)), at most 0xFFFE with
    /// bit 0 void (FS0 reads 0; SBOS448 §8.6.3.6), Power_LSB = 20 × Current_LSB.
    /// An odd result is rounded down to even; readings stay exact because
    /// `currentLSBAmps` is always derived from the CAL actually written.
    public static func ina219(shuntMicroOhms: Double, maxExpectedCurrentAmps: Double,
                              currentLSBAmps: Double? = nil) throws(HALError) -> INACalibration {
        try INACalibration(chip: "INA219", coefficient: 0.04096, maximum: 0xFFFE, evenOnly: true,
                           powerLSBFactor: 20, shuntMicroOhms: shuntMicroOhms,
                           maxExpectedCurrentAmps: maxExpectedCurrentAmps, currentLSBAmps: currentLSBAmps)
    }

    private init(chip: String, coefficient: Double, maximum: UInt16, evenOnly: Bool, powerLSBFactor: Double,
                 shuntMicroOhms: Double, maxExpectedCurrentAmps: Double, currentLSBAmps: Double?) throws(HALError) {
        guard shuntMicroOhms.isFinite, shuntMicroOhms > 0 else {
            throw .invalidArgument("\(chip) shuntMicroOhms \(shuntMicroOhms) must be a positive number")
        }
        guard maxExpectedCurrentAmps.isFinite, maxExpectedCurrentAmps > 0 else {
            throw .invalidArgument("\(chip) maxExpectedCurrentAmps \(maxExpectedCurrentAmps) must be a positive number")
        }
        let finestLSB = maxExpectedCurrentAmps / 32768
        let lsb = currentLSBAmps ?? finestLSB
        guard lsb.isFinite, lsb >= finestLSB * (1 - 1e-12) else {
            throw .invalidArgument("\(chip) currentLSBAmps \(lsb) is finer than maxExpectedCurrentAmps / 2^15 = \(finestLSB): the current register would overflow; raise currentLSBAmps or lower maxExpectedCurrentAmps")
        }
        let ohms = shuntMicroOhms * 1e-6
        // The tiny relative nudge keeps exact decimal cases (0.00512 / (1 mA × 2 mΩ)
        // = 2560) from truncating to 2559 through binary rounding.
        let exact = coefficient / (lsb * ohms)
        let truncated = (exact * (1 + 1e-12)).rounded(.towardZero)
        guard truncated <= Double(maximum) else {
            throw .invalidArgument("\(chip) calibration \(Int(truncated)) exceeds the register maximum \(maximum) (\(HALError.hex16(maximum))): the shunt voltage at maxExpectedCurrentAmps is too small for the current LSB; raise shuntMicroOhms or maxExpectedCurrentAmps (or currentLSBAmps)")
        }
        var value = UInt16(truncated)
        if evenOnly { value &= 0xFFFE }
        guard value >= 1 else {
            throw .invalidArgument("\(chip) calibration rounds to 0: current LSB × shunt is above \(coefficient); lower shuntMicroOhms or currentLSBAmps")
        }
        register = value
        // The LSB the chip actually applies: Current = Shunt × CAL / 2048 (4096 on
        // the INA219) makes one count worth coefficient / (CAL × R), which equals
        // the requested LSB only when CAL was not truncated.
        self.currentLSBAmps = coefficient / (Double(value) * ohms)
        self.powerLSBFactor = powerLSBFactor
    }
}

extension HALError {
    /// "0x7FFF": four digits, as datasheets print register values.
    static func hex16(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
