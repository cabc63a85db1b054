import CIMHAL

/// An INA226 at the register level (SBOS547), measuring `trace` through a
/// shunt of `shuntOhms`.
///
/// Registers: 00 config (bits 14:12 fixed 100b), 01 shunt, 02 bus, 03 power,
/// 04 current, 05 CAL (15 bits), 06 Mask/Enable, 07 alert limit, FE/FF IDs.
/// A conversion block-averages AVG samples of shunt then bus, quantised to
/// 2.5 µV / 1.25 mV and clipped at full scale; then Current = Shunt × CAL / 2048
/// and Power = |Current| × Bus / 20000 (§7.5), truncated, OVF on overflow.
public final class INA226Model: INARegisterModel {
    public var trace: PowerTrace
    public let shuntOhms: Double

    /// - Parameter dieRevision: RID, bits 3:0 of the die ID (SBOS547 §7.6.10);
    ///   DID 0x226 in bits 15:4 is fixed.
    public init(clock: VirtualClock, shuntOhms: Double, dieRevision: UInt16 = 0, trace: @escaping PowerTrace) {
        self.trace = trace
        self.shuntOhms = shuntOhms
        super.init(clock: clock, powerOnValues: [
            0x00: 0x4127, 0x01: 0, 0x02: 0, 0x03: 0, 0x04: 0, 0x05: 0, 0x06: 0, 0x07: 0,
            0xFE: 0x5449, 0xFF: 0x2260 | dieRevision & 0xF,
        ])
    }

    static let cvrf: UInt16 = 1 << 3, aff: UInt16 = 1 << 4, ovf: UInt16 = 1 << 2, len: UInt16 = 1

    override func store(_ value: UInt16, at pointer: UInt8) {
        switch pointer {
        case 0x00:
            if value & 0x8000 != 0 { restoreDefaults(); return }
            registers[0x00] = value & 0x0FFF | 0x4000
            set(Self.cvrf, false, in: 0x06)
            startConversion()
        case 0x05: registers[0x05] = value & 0x7FFF
        // Only the enable and pin bits are writable; the flags belong to the chip.
        case 0x06: registers[0x06] = value & 0xFC03 | (registers[0x06] ?? 0) & 0x001C
        case 0x07: registers[0x07] = value
        default: break  // read-only
        }
    }

    override func didRead(_ pointer: UInt8) {
        guard pointer == 0x06 else { return }
        set(Self.cvrf, false, in: 0x06)
        if (registers[0x06] ?? 0) & Self.len != 0 { set(Self.aff, false, in: 0x06) }
    }

    private var config: UInt16 { registers[0x00] ?? 0 }

    override var conversionPeriod: Double? {
        let mode = INACodes.mode(config)
        guard !INACodes.poweredDown(mode) else { return nil }
        let slot = (INACodes.measuresShunt(mode) ? INACodes.shuntSeconds(config) : 0)
            + (INACodes.measuresBus(mode) ? INACodes.busSeconds(config) : 0)
        return Double(INACodes.averaging(config)) * slot
    }

    override var isContinuous: Bool { INACodes.continuous(INACodes.mode(config)) }

    override func complete(conversionFrom start: Double, period: Double) {
        let mode = INACodes.mode(config), count = INACodes.averaging(config)
        let shuntTime = INACodes.measuresShunt(mode) ? INACodes.shuntSeconds(config) : 0
        let busTime = INACodes.measuresBus(mode) ? INACodes.busSeconds(config) : 0
        let slot = shuntTime + busTime
        if shuntTime > 0 {
            let shunt = blockAverage(count: count, start: start, firstOffset: shuntTime / 2, slot: slot) { t in
                quantize(self.trace(t).currentAmps * self.shuntOhms, lsb: 2.5e-6, range: -32768...32767)
            }
            registers[0x01] = UInt16(bitPattern: Int16(shunt))
        }
        if busTime > 0 {
            let bus = blockAverage(count: count, start: start, firstOffset: shuntTime + busTime / 2, slot: slot) { t in
                quantize(self.trace(t).busVolts, lsb: 1.25e-3, range: 0...0x7FFF)
            }
            registers[0x02] = UInt16(bus)
        }
        let shunt = Int(Int16(bitPattern: registers[0x01] ?? 0)), bus = Int(registers[0x02] ?? 0)
        let current = shunt * Int(registers[0x05] ?? 0) / 2048
        let power = abs(current) * bus / 20000
        let overflow = current > Int(Int16.max) || current < Int(Int16.min) || power > 0xFFFF
        registers[0x04] = UInt16(bitPattern: Int16(clamping: current))
        registers[0x03] = UInt16(clamping: power)
        set(Self.ovf, overflow, in: 0x06)
        evaluateAlert(shunt: shunt, bus: bus, power: min(power, 0xFFFF))
        set(Self.cvrf, true, in: 0x06)
    }

    /// The highest enabled limit function is compared with the alert limit (§7.6.7).
    private func evaluateAlert(shunt: Int, bus: Int, power: Int) {
        let mask = registers[0x06] ?? 0, limit = registers[0x07] ?? 0
        let signedLimit = Int(Int16(bitPattern: limit))
        let fired: Bool
        if mask & 0x8000 != 0 { fired = shunt > signedLimit }
        else if mask & 0x4000 != 0 { fired = shunt < signedLimit }
        else if mask & 0x2000 != 0 { fired = bus > Int(limit) }
        else if mask & 0x1000 != 0 { fired = bus < Int(limit) }
        else if mask & 0x0800 != 0 { fired = power > Int(limit) }
        else { return }
        if fired || mask & Self.len == 0 { set(Self.aff, fired, in: 0x06) }
    }
}
