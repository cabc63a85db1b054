import CIMHAL

/// An INA228 at the register level (SLYS021), measuring `trace` through a
/// shunt of `shuntOhms`.
///
/// Registers: 00 CONFIG (RST 15, ADCRANGE 4), 01 ADC_CONFIG (POR FB68h:
/// MODE 15:12, VBUSCT 11:9, VSHCT 8:6, VTCT 5:3, AVG 2:0), 02 SHUNT_CAL (15
/// bits, POR 1000h), 04 VSHUNT, 05 VBUS and 07 CURRENT (24 bits, a 20-bit
/// value in 23:4), 06 DIETEMP, 08 POWER (24 bits), 0B DIAG_ALRT (POR 0001h,
/// MEMSTAT), 0C–11 limits, 3E/3F IDs (5449h, 2281h).
///
/// A conversion block-averages AVG samples of shunt, then bus, then die
/// temperature, quantised to 312.5 nV (78.125 nV at ADCRANGE 1), 195.3125 µV
/// and clipped at the 20-bit range; then CURRENT = VSHUNT × 4096 / SHUNT_CAL,
/// truncated (4096 = 312.5 nV × 13107.2·10⁶: it reproduces the datasheet's
/// 311040 → 314572 at SHUNT_CAL 4050) and POWER = |CURRENT| × VBUS / 2¹⁴
/// (3.2 × CURRENT_LSB per count over 195.3125 µV), truncated, MATHOF on
/// overflow. CNVRF is set when a conversion completes and cleared by reading
/// DIAG_ALRT or writing ADC_CONFIG. Not modelled: the ENERGY and CHARGE
/// accumulators (read 0), the limit comparisons and ALERT, the conversion
/// delay and tempco compensation; the die reads a constant 25 °C.
public final class INA228Model: INARegisterModel {
    public var trace: PowerTrace
    public let shuntOhms: Double

    /// - Parameter dieRevision: REV_ID, bits 3:0 of DEVICE_ID; DIEID 228h in 15:4 is fixed.
    public init(clock: VirtualClock, shuntOhms: Double, dieRevision: UInt16 = 1, trace: @escaping PowerTrace) {
        self.trace = trace
        self.shuntOhms = shuntOhms
        super.init(clock: clock, powerOnValues: [
            0x00: 0x0000, 0x01: 0xFB68, 0x02: 0x1000, 0x03: 0, 0x06: 0, 0x0B: 0x0001,
            0x0C: 0x7FFF, 0x0D: 0x8000, 0x0E: 0x7FFF, 0x0F: 0x0000, 0x10: 0x7FFF, 0x11: 0xFFFF,
            0x3E: 0x5449, 0x3F: 0x2280 | dieRevision & 0xF,
        ])
    }

    /// The 24- and 40-bit registers, right-aligned as they go on the wire.
    private var wide: [UInt8: UInt64] = [:]
    private static let widths: [UInt8: Int] = [0x04: 3, 0x05: 3, 0x07: 3, 0x08: 3, 0x09: 5, 0x0A: 5]
    static let cnvrf: UInt16 = 1 << 1, mathof: UInt16 = 1 << 9

    override func registerBytes(_ pointer: UInt8) -> [UInt8] {
        guard let count = Self.widths[pointer] else { return super.registerBytes(pointer) }
        let value = wide[pointer] ?? 0
        return (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (count - 1 - $0))) }
    }

    override func restoreDefaults() {
        wide = [:]
        super.restoreDefaults()
    }

    override func store(_ value: UInt16, at pointer: UInt8) {
        switch pointer {
        case 0x00:
            if value & 0x8000 != 0 { restoreDefaults(); return }
            // RSTACC (14) clears the accumulators and reads back 0; 3:0 are reserved.
            if value & 0x4000 != 0 { wide[0x09] = 0; wide[0x0A] = 0 }
            registers[0x00] = value & 0x3FF0
        case 0x01:
            registers[0x01] = value
            set(Self.cnvrf, false, in: 0x0B)
            startConversion()
        case 0x02: registers[0x02] = value & 0x7FFF
        case 0x03: registers[0x03] = value & 0x3FFF
        // Only ALATCH, CNVR, SLOWALERT and APOL are writable; the flags belong to the chip.
        case 0x0B: registers[0x0B] = value & 0xF000 | (registers[0x0B] ?? 0) & 0x0FFF
        case 0x0C...0x11: registers[pointer] = value
        default: break  // read-only
        }
    }

    override func didRead(_ pointer: UInt8) {
        if pointer == 0x0B { set(Self.cnvrf, false, in: 0x0B) }
    }

    private var adc: UInt16 { registers[0x01] ?? 0 }
    private var mode: UInt16 { adc >> 12 }
    private static let conversionSeconds = [50e-6, 84e-6, 150e-6, 280e-6, 540e-6, 1052e-6, 2074e-6, 4120e-6]
    private static let averagingCounts = [1, 4, 16, 64, 128, 256, 512, 1024]
    private var busTime: Double { mode & 0b0001 != 0 ? Self.conversionSeconds[Int((adc >> 9) & 7)] : 0 }
    private var shuntTime: Double { mode & 0b0010 != 0 ? Self.conversionSeconds[Int((adc >> 6) & 7)] : 0 }
    private var temperatureTime: Double { mode & 0b0100 != 0 ? Self.conversionSeconds[Int((adc >> 3) & 7)] : 0 }
    private var averaging: Int { Self.averagingCounts[Int(adc & 7)] }

    override var conversionPeriod: Double? {
        guard mode & 0b0111 != 0 else { return nil }
        return Double(averaging) * (busTime + shuntTime + temperatureTime)
    }

    override var isContinuous: Bool { mode & 0b1000 != 0 }

    override func complete(conversionFrom start: Double, period: Double) {
        let slot = shuntTime + busTime + temperatureTime
        let fineRange = (registers[0x00] ?? 0) & 0x0010 != 0
        let shuntLSB = fineRange ? 78.125e-9 : 312.5e-9
        var shunt = Int(Int32(bitPattern: UInt32(truncatingIfNeeded: (wide[0x04] ?? 0) << 8)) >> 12)
        var bus = Int((wide[0x05] ?? 0) >> 4)
        if shuntTime > 0 {
            shunt = blockAverage(count: averaging, start: start, firstOffset: shuntTime / 2, slot: slot) { t in
                quantize(self.trace(t).currentAmps * self.shuntOhms, lsb: shuntLSB, range: -524_288...524_287)
            }
        }
        if busTime > 0 {
            bus = blockAverage(count: averaging, start: start, firstOffset: shuntTime + busTime / 2, slot: slot) { t in
                quantize(self.trace(t).busVolts, lsb: 195.3125e-6, range: 0...524_287)
            }
        }
        if temperatureTime > 0 { registers[0x06] = 3200 }  // 25 °C at 7.8125 m°C
        let calibration = Int(registers[0x02] ?? 0)
        let current = calibration == 0 ? 0 : shunt * 4096 / calibration
        let power = abs(current) * bus / 16384
        let overflow = current > 524_287 || current < -524_288 || power > 0xFF_FFFF
        let clippedCurrent = min(max(current, -524_288), 524_287)
        wide[0x04] = UInt64(UInt32(bitPattern: Int32(shunt) << 12) >> 8)
        wide[0x05] = UInt64(bus) << 4
        wide[0x07] = UInt64(UInt32(bitPattern: Int32(clippedCurrent) << 12) >> 8)
        wide[0x08] = UInt64(min(power, 0xFF_FFFF))
        set(Self.mathof, overflow, in: 0x0B)
        set(Self.cnvrf, true, in: 0x0B)
    }
}
