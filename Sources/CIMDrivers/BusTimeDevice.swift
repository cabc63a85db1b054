import CIMHAL

/// The registers of a bus time device (`VirtualTimeModel`, served by
/// `cimfw emulate`): big-endian 64-bit nanoseconds.
public enum BusTimeRegister: UInt8, Sendable {
    /// Read 8 bytes: board time now, in nanoseconds.
    case now = 0x00
    /// Write 8 bytes: pass that many nanoseconds of idle board time.
    case wait = 0x01
}

/// Board time read from a device on the bus: how firmware on a real kernel
/// shares the virtual time of emulated devices behind it, so energy and
/// timing come out as on the emulated board itself. A real board keeps
/// CLOCK_MONOTONIC; this is for hardware-in-the-loop against `cimfw emulate`.
///
/// A clock cannot fail, but a bus read can: each read is tried `attempts`
/// times; if all fail, time is the last value read plus the monotonic time
/// since, and `failedReads` counts it.
public final class BusTimeDevice<Bus: I2CBus> {
    private var bus: Bus
    public let address: I2CAddress
    private let attempts: Int
    private let monotonic: () -> Double
    private var lastNanoseconds: UInt64 = 0
    private var lastMonotonic: Double
    public private(set) var failedReads = 0
    public private(set) var failedWaits = 0

    public init(bus: Bus, address: I2CAddress, attempts: Int = 3, monotonic: @escaping () -> Double) {
        self.bus = bus
        self.address = address
        self.attempts = max(1, attempts)
        self.monotonic = monotonic
        lastMonotonic = monotonic()
    }

    /// Whether a device answers with a time at `address` (probe).
    public func read() throws(HALError) -> UInt64 {
        let bytes = try bus.writeRead([BusTimeRegister.now.rawValue], readCount: 8, at: address)
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    public var nowSeconds: Double {
        for _ in 0..<attempts {
            if let n = try? read() {
                lastNanoseconds = n
                lastMonotonic = monotonic()
                return Double(n) * 1e-9
            }
        }
        failedReads += 1
        return Double(lastNanoseconds) * 1e-9 + max(0, monotonic() - lastMonotonic)
    }

    public func wait(seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return }
        let n = UInt64(min(seconds, 1e9) * 1e9)
        var bytes: [UInt8] = [BusTimeRegister.wait.rawValue]
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: n >> (56 - 8 * UInt64(i)))) }
        for _ in 0..<attempts {
            if (try? bus.write(bytes, to: address)) != nil { return }
        }
        failedWaits += 1
    }

    /// The board clock this device keeps: virtual (waits pass at once).
    public var boardClock: BoardClock {
        BoardClock(now: { self.nowSeconds }, wait: { self.wait(seconds: $0) }, isVirtual: true)
    }
}
