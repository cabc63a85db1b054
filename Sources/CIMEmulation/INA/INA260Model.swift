import CIMHAL

/// An INA260 at the register level (SBOS656): the INA226 register layout
/// without shunt or CAL, and an internal 2 mΩ shunt, so the current register
/// holds 1.25 mA counts directly (2.5 µV / 2 mΩ). Power = |I| × V counts /
/// 6400 (1.25 mA × 1.25 mV / 10 mW), truncated. Bits 15/14 of Mask/Enable
/// compare the current register (OCL/UCL). Conversions as `INA226Model`.
public final class INA260Model: INARegisterModel {
    public var trace: PowerTrace

    public init(clock: VirtualClock, dieRevision: UInt16 = 0, trace: @escaping PowerTrace) {
        self.trace = trace
        super.init(clock: clock, powerOnValues: [
            0x00: 0x6127, 0x01: 0, 0x02: 0, 0x03: 0, 0x06: 0, 0x07: 0,
            0xFE: 0x5449, 0xFF: 0x2270 | dieRevision & 0xF,
        ])
    }

    static let cvrf: UInt16 = 1 << 3, aff: UInt16 = 1 << 4, ovf: UInt16 = 1 << 2, len: UInt16 = 1

    override func store(_ value: UInt16, at pointer: UInt8) {
        switch pointer {
        case 0x00:
            if value & 0x8000 != 0 { restoreDefaults(); return }
            registers[0x00] = value & 0x0FFF | 0x6000
            set(Self.cvrf, false, in: 0x06)
            startConversion()
        case 0x06: registers[0x06] = value & 0xFC03 | (registers[0x06] ?? 0) & 0x001C
        case 0x07: registers[0x07] = value
        default: break
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
        return Double(INACodes.averaging(config)) * ((INACodes.measuresShunt(mode) ? INACodes.shuntSeconds(config) : 0)
            + (INACodes.measuresBus(mode) ? INACodes.busSeconds(config) : 0))
    }

    override var isContinuous: Bool { INACodes.continuous(INACodes.mode(config)) }

    override func complete(conversionFrom start: Double, period: Double) {
        let mode = INACodes.mode(config), count = INACodes.averaging(config)
        let currentTime = INACodes.measuresShunt(mode) ? INACodes.shuntSeconds(config) : 0
        let busTime = INACodes.measuresBus(mode) ? INACodes.busSeconds(config) : 0
        let slot = currentTime + busTime
        if currentTime > 0 {
            let current = blockAverage(count: count, start: start, firstOffset: currentTime / 2, slot: slot) { t in
                quantize(self.trace(t).currentAmps, lsb: 1.25e-3, range: -32768...32767)
            }
            registers[0x01] = UInt16(bitPattern: Int16(current))
        }
        if busTime > 0 {
            let bus = blockAverage(count: count, start: start, firstOffset: currentTime + busTime / 2, slot: slot) { t in
                quantize(self.trace(t).busVolts, lsb: 1.25e-3, range: 0...0x7FFF)
            }
            registers[0x02] = UInt16(bus)
        }
        let current = Int(Int16(bitPattern: registers[0x01] ?? 0)), bus = Int(registers[0x02] ?? 0)
        let power = abs(current) * bus / 6400
        registers[0x03] = UInt16(clamping: power)
        set(Self.ovf, power > 0xFFFF, in: 0x06)
        let mask = registers[0x06] ?? 0, limit = registers[0x07] ?? 0
        let fired: Bool?
        if mask & 0x8000 != 0 { fired = current > Int(Int16(bitPattern: limit)) }
        else if mask & 0x4000 != 0 { fired = current < Int(Int16(bitPattern: limit)) }
        else if mask & 0x2000 != 0 { fired = bus > Int(limit) }
        else if mask & 0x1000 != 0 { fired = bus < Int(limit) }
        else if mask & 0x0800 != 0 { fired = min(power, 0xFFFF) > Int(limit) }
        else { fired = nil }
        if let fired, fired || mask & Self.len == 0 { set(Self.aff, fired, in: 0x06) }
        set(Self.cvrf, true, in: 0x06)
    }
}
