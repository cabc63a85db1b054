import CIMHAL

/// The bus voltage and current of a rail at a moment, in seconds of a `VirtualClock`.
public typealias PowerTrace = (_ seconds: Double) -> (busVolts: Double, currentAmps: Double)

/// What the INA219/226/260/3221 models share: a register pointer that is
/// kept between transactions (SBOS448 §8.5.6), POR values, read-only
/// registers that ignore writes, and conversions that complete on the
/// virtual clock and are caught up lazily at each bus access.
///
/// Subclasses describe the chip: its POR table, what a write stores, the
/// side effects of a read, the conversion period and what a finished
/// conversion puts in the registers.
public class INARegisterModel: I2CDeviceModel {
    public let clock: VirtualClock
    /// Register values as the chip holds them.
    public internal(set) var registers: [UInt8: UInt16]
    public private(set) var pointer: UInt8 = 0
    /// Conversions finished since power-on (skipped ones included).
    public private(set) var conversionsCompleted = 0
    /// Power-on resets (RST writes and `powerCycle`).
    public private(set) var resets = 0

    let powerOnValues: [UInt8: UInt16]
    private var conversionStart: Double?

    init(clock: VirtualClock, powerOnValues: [UInt8: UInt16]) {
        self.clock = clock
        self.powerOnValues = powerOnValues
        registers = powerOnValues
        startConversion()
    }

    /// The supply dips and comes back: every register returns to its POR value,
    /// CAL included, so a driver must notice and set the chip up again.
    public func powerCycle() { restoreDefaults() }

    // MARK: I2CDeviceModel

    public func receive(_ bytes: [UInt8]) throws(HALError) {
        catchUp()
        guard let first = bytes.first else { return }
        pointer = first
        // Pointer-only writes set up a read; a full write is pointer + MSB + LSB.
        guard bytes.count >= 3 else { return }
        store(UInt16(bytes[1]) << 8 | UInt16(bytes[2]), at: first)
    }

    public func transmit(count: Int) throws(HALError) -> [UInt8] {
        catchUp()
        let bytes = registerBytes(pointer)
        didRead(pointer)
        // MSB first (SBOS547 §7.5.3); a longer read gets the bus's idle 0xFF.
        return (0..<count).map { i in i < bytes.count ? bytes[i] : 0xFF }
    }

    // MARK: For subclasses

    /// A register as it goes out on the wire, MSB first: 16 bits here; wider on the INA228.
    func registerBytes(_ pointer: UInt8) -> [UInt8] {
        let value = registers[pointer] ?? 0
        return [UInt8(value >> 8), UInt8(value & 0xFF)]
    }

    /// A write of `value` to `pointer`: ignore read-only registers, apply reserved bits.
    func store(_ value: UInt16, at pointer: UInt8) {}
    /// Side effects of reading a register (flags that clear on read).
    func didRead(_ pointer: UInt8) {}
    /// Seconds from start to completion under the current configuration; nil when powered down.
    var conversionPeriod: Double? { nil }
    /// Whether the chip starts the next conversion by itself.
    var isContinuous: Bool { false }
    /// Puts the results of the conversion over [start, start + period] in the registers.
    func complete(conversionFrom start: Double, period: Double) {}

    /// RST or power-on: POR values, and the POR mode's conversion starts.
    func restoreDefaults() {
        registers = powerOnValues
        resets += 1
        startConversion()
    }

    /// A configuration write halts the conversion in progress and starts a new
    /// one with the new settings (SBOS547 §7.6.1).
    func startConversion() {
        conversionStart = conversionPeriod == nil ? nil : clock.nowSeconds
    }

    func set(_ bit: UInt16, _ on: Bool, in pointer: UInt8) {
        let old = registers[pointer] ?? 0
        registers[pointer] = on ? old | bit : old & ~bit
    }

    /// Mean of `count` samples of `quantity` (already in register counts),
    /// taken at `start + firstOffset + n × slot`: a block average of ADC codes
    /// (SBOS547 "the accumulated average … is then loaded"), rounded.
    func blockAverage(count: Int, start: Double, firstOffset: Double, slot: Double,
                      _ counts: (Double) -> Int) -> Int {
        var sum = 0
        for n in 0..<count { sum += counts(start + firstOffset + Double(n) * slot) }
        return Int((Double(sum) / Double(count)).rounded())
    }

    private func catchUp() {
        let now = clock.nowSeconds
        while let start = conversionStart, let period = conversionPeriod, start + period <= now + 1e-12 {
            // Only the latest finished conversion is visible: skip whole periods
            // rather than computing thousands nobody can read.
            let skipped = isContinuous ? max(0, Int(((now - start) / period).rounded(.down)) - 1) : 0
            let begin = start + Double(skipped) * period
            complete(conversionFrom: begin, period: period)
            conversionsCompleted += skipped + 1
            conversionStart = isContinuous ? begin + period : nil
        }
    }
}

/// Round to the nearest count and clip to the register's range, as an ADC saturates.
func quantize(_ value: Double, lsb: Double, range: ClosedRange<Int>) -> Int {
    let counts = (value / lsb).rounded()
    guard counts.isFinite else { return 0 }
    return Int(min(max(counts, Double(range.lowerBound)), Double(range.upperBound)))
}
