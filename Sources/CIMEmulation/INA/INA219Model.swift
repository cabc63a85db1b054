import CIMHAL

/// An INA219 at the register level (SBOS448), measuring `trace` through a
/// shunt of `shuntOhms`.
///
/// Registers: 00 config (POR 0x399F; bit 14 reserved), 01 shunt (10 µV,
/// clipped at the PGA range), 02 bus (bits 15:3 at 4 mV, CNVR bit 1, OVF
/// bit 0), 03 power, 04 current, 05 CAL (bit 0 void). No ID registers: other
/// pointers read 0. Current = Shunt × CAL / 4096, Power = |Current| × Bus / 5000
/// (§8.5.1), truncated. CNVR is set when a conversion completes and cleared by
/// reading the power register or writing the configuration (§8.6.3.2).
/// Reduced-resolution ADC modes (9–11 bit) are modelled at 12-bit resolution;
/// only their conversion times differ.
public final class INA219Model: INARegisterModel {
    public var trace: PowerTrace
    public let shuntOhms: Double

    public init(clock: VirtualClock, shuntOhms: Double, trace: @escaping PowerTrace) {
        self.trace = trace
        self.shuntOhms = shuntOhms
        super.init(clock: clock, powerOnValues: [0x00: 0x399F, 0x01: 0, 0x02: 0, 0x03: 0, 0x04: 0, 0x05: 0])
    }

    /// (samples, seconds) of a 4-bit BADC/SADC code (SBOS448 Table 5).
    static func adc(_ code: UInt16) -> (samples: Int, seconds: Double) {
        if code & 0b1000 == 0 { return (1, [84e-6, 148e-6, 276e-6, 532e-6][Int(code & 3)]) }
        let samples = 1 << Int(code & 7)
        return (samples, [532e-6, 1.06e-3, 2.13e-3, 4.26e-3, 8.51e-3, 17.02e-3, 34.05e-3, 68.10e-3][Int(code & 7)])
    }

    override func store(_ value: UInt16, at pointer: UInt8) {
        switch pointer {
        case 0x00:
            if value & 0x8000 != 0 { restoreDefaults(); return }
            registers[0x00] = value & 0x3FFF
            set(0x0002, false, in: 0x02)
            startConversion()
        case 0x05: registers[0x05] = value & 0xFFFE
        default: break
        }
    }

    override func didRead(_ pointer: UInt8) {
        if pointer == 0x03 { set(0x0002, false, in: 0x02) }
    }

    private var config: UInt16 { registers[0x00] ?? 0 }
    private var shuntADC: (samples: Int, seconds: Double) { Self.adc((config >> 3) & 0xF) }
    private var busADC: (samples: Int, seconds: Double) { Self.adc((config >> 7) & 0xF) }

    override var conversionPeriod: Double? {
        let mode = config & 7
        guard mode != 0, mode != 4 else { return nil }
        return (mode & 1 != 0 ? shuntADC.seconds : 0) + (mode & 2 != 0 ? busADC.seconds : 0)
    }

    override var isContinuous: Bool { config & 4 != 0 && config & 7 != 4 }

    override func complete(conversionFrom start: Double, period: Double) {
        let mode = config & 7
        let shuntTime = mode & 1 != 0 ? shuntADC.seconds : 0
        if shuntTime > 0 {
            // PG /1…/8: ±40…±320 mV, i.e. ±4000 × 2^PG counts (§8.6.3.2).
            let limit = 4000 << Int((config >> 11) & 3)
            let adc = shuntADC
            let shunt = blockAverage(count: adc.samples, start: start, firstOffset: adc.seconds / Double(adc.samples) / 2,
                                     slot: adc.seconds / Double(adc.samples)) { t in
                quantize(self.trace(t).currentAmps * self.shuntOhms, lsb: 10e-6, range: -limit...limit)
            }
            registers[0x01] = UInt16(bitPattern: Int16(shunt))
        }
        var bus = Int((registers[0x02] ?? 0) >> 3)
        if mode & 2 != 0 {
            let adc = busADC
            let fullScale = config & 0x2000 != 0 ? 8000 : 4000  // BRNG 32 V / 16 V at 4 mV
            bus = blockAverage(count: adc.samples, start: start + shuntTime, firstOffset: adc.seconds / Double(adc.samples) / 2,
                               slot: adc.seconds / Double(adc.samples)) { t in
                quantize(self.trace(t).busVolts, lsb: 4e-3, range: 0...fullScale)
            }
        }
        let shunt = Int(Int16(bitPattern: registers[0x01] ?? 0))
        let current = shunt * Int(registers[0x05] ?? 0) / 4096
        let power = abs(current) * bus / 5000
        let overflow = current > Int(Int16.max) || current < Int(Int16.min) || power > 0xFFFF
        registers[0x04] = UInt16(bitPattern: Int16(clamping: current))
        registers[0x03] = UInt16(clamping: power)
        registers[0x02] = UInt16(bus) << 3 | 0x0002 | (overflow ? 0x0001 : 0)
    }
}
