import CIMHAL

/// An INA3221 at the register level (SBOS576) with three shunts and one
/// trace per channel (`channel` is 1…3).
///
/// Enabled channels convert one after another, each AVG × (VSHCT + VBUSCT)
/// long; the registers of all channels are loaded and CVRF (Mask/Enable bit
/// 0) set when the cycle ends. Shunt: sign + 12 bits in 15:3 at 40 µV; bus:
/// sign + 12 bits in 15:3 at 8 mV; both clipped at full scale. Critical flags
/// compare each shunt sample with the channel's critical limit, warning flags
/// the averaged value; the shunt-voltage sum (15:1) adds the channels with SCCx
/// set. Reading Mask/Enable clears CVRF and the alert flags; a configuration
/// write clears CVRF. The Mask/Enable POR value (0x0002: TCF set) is not
/// verified against the datasheet.
public final class INA3221Model: INARegisterModel {
    public var trace: (_ channel: Int, _ seconds: Double) -> (busVolts: Double, currentAmps: Double)
    public let shuntOhms: [Double]

    /// - Parameter dieRevision: bits 3:0 of the die ID; 0x322 in bits 15:4 is fixed.
    public init(clock: VirtualClock, shuntOhms: [Double], dieRevision: UInt16 = 0,
                trace: @escaping (_ channel: Int, _ seconds: Double) -> (busVolts: Double, currentAmps: Double)) {
        precondition(shuntOhms.count == 3, "an INA3221 has three shunts")
        self.trace = trace
        self.shuntOhms = shuntOhms
        super.init(clock: clock, powerOnValues: [
            0x00: 0x7127, 0x01: 0, 0x02: 0, 0x03: 0, 0x04: 0, 0x05: 0, 0x06: 0,
            0x07: 0x7FF8, 0x08: 0x7FF8, 0x09: 0x7FF8, 0x0A: 0x7FF8, 0x0B: 0x7FF8, 0x0C: 0x7FF8,
            0x0D: 0, 0x0E: 0x7FFE, 0x0F: 0x0002, 0x10: 0x2710, 0x11: 0x2328,
            0xFE: 0x5449, 0xFF: 0x3220 | dieRevision & 0xF,
        ])
    }

    override func store(_ value: UInt16, at pointer: UInt8) {
        switch pointer {
        case 0x00:
            if value & 0x8000 != 0 { restoreDefaults(); return }
            registers[0x00] = value
            set(0x0001, false, in: 0x0F)
            startConversion()
        case 0x07...0x0C: registers[pointer] = value & 0xFFF8
        case 0x0E: registers[pointer] = value & 0xFFFE
        case 0x0F: registers[0x0F] = value & 0x7C00 | (registers[0x0F] ?? 0) & 0x03FF
        case 0x10, 0x11: registers[pointer] = value & 0xFFF8
        default: break
        }
    }

    override func didRead(_ pointer: UInt8) {
        if pointer == 0x0F { registers[0x0F] = (registers[0x0F] ?? 0) & 0x7C06 }
    }

    private var config: UInt16 { registers[0x00] ?? 0 }
    private var enabledChannels: [Int] { (1...3).filter { config & (1 << UInt16(15 - $0)) != 0 } }

    override var conversionPeriod: Double? {
        let mode = INACodes.mode(config)
        guard !INACodes.poweredDown(mode), !enabledChannels.isEmpty else { return nil }
        return Double(enabledChannels.count * INACodes.averaging(config)) * slot
    }

    override var isContinuous: Bool { INACodes.continuous(INACodes.mode(config)) }

    private var slot: Double {
        let mode = INACodes.mode(config)
        return (INACodes.measuresShunt(mode) ? INACodes.shuntSeconds(config) : 0)
            + (INACodes.measuresBus(mode) ? INACodes.busSeconds(config) : 0)
    }

    override func complete(conversionFrom start: Double, period: Double) {
        let mode = INACodes.mode(config), count = INACodes.averaging(config)
        let shuntTime = INACodes.measuresShunt(mode) ? INACodes.shuntSeconds(config) : 0
        let busTime = INACodes.measuresBus(mode) ? INACodes.busSeconds(config) : 0
        var flags = (registers[0x0F] ?? 0) & 0x0FFF
        let latchedWarning = flags & 0x0800 != 0, latchedCritical = flags & 0x0400 != 0
        for (k, channel) in enabledChannels.enumerated() {
            let blockStart = start + Double(k * count) * slot
            let r = shuntOhms[channel - 1]
            let pointer = UInt8(1 + 2 * (channel - 1))
            if shuntTime > 0 {
                let critical = Int(Int16(bitPattern: registers[0x07 + pointer - 1] ?? 0) >> 3)
                var exceeded = false
                let shunt = blockAverage(count: count, start: blockStart, firstOffset: shuntTime / 2, slot: slot) { t in
                    let counts = quantize(self.trace(channel, t).currentAmps * r, lsb: 40e-6, range: -4096...4095)
                    if counts > critical { exceeded = true }
                    return counts
                }
                registers[pointer] = UInt16(bitPattern: Int16(shunt) << 3)
                let warning = Int(Int16(bitPattern: registers[0x08 + pointer - 1] ?? 0) >> 3)
                let criticalBit = UInt16(1) << UInt16(10 - channel), warningBit = UInt16(1) << UInt16(6 - channel)
                if exceeded { flags |= criticalBit } else if !latchedCritical { flags &= ~criticalBit }
                if shunt > warning { flags |= warningBit } else if !latchedWarning { flags &= ~warningBit }
            }
            if busTime > 0 {
                let bus = blockAverage(count: count, start: blockStart, firstOffset: shuntTime + busTime / 2, slot: slot) { t in
                    quantize(self.trace(channel, t).busVolts, lsb: 8e-3, range: -4096...4095)
                }
                registers[pointer + 1] = UInt16(bitPattern: Int16(bus) << 3)
            }
        }
        var sum = 0
        for channel in 1...3 where (registers[0x0F] ?? 0) & (1 << UInt16(15 - channel)) != 0 {
            sum += Int(Int16(bitPattern: registers[UInt8(1 + 2 * (channel - 1))] ?? 0) >> 3)
        }
        let clippedSum = min(max(sum, -16384), 16383)
        registers[0x0D] = UInt16(bitPattern: Int16(clippedSum) << 1)
        let sumLimit = Int(Int16(bitPattern: registers[0x0E] ?? 0) >> 1)
        if clippedSum > sumLimit { flags |= 0x0040 } else { flags &= ~0x0040 }
        registers[0x0F] = (registers[0x0F] ?? 0) & 0xF000 | flags | 0x0001
    }
}
