import CIMHAL

/// Board time on the bus: a device an emulator puts beside the models it
/// serves, so firmware on another side of a real kernel (`cimfw emulate`
/// behind a QEMU guest's i2c-dev) keeps the models' virtual time instead of
/// its own wall time (see `BusTimeDevice` for the registers).
///
/// Reading NOW returns the virtual nanoseconds; writing WAIT passes that many
/// nanoseconds of idle board time (`wait` moves the clock and every model
/// that keeps time, as an emulated board's own clock does).
public final class VirtualTimeModel: I2CDeviceModel {
    private let clock: VirtualClock
    private let wait: (Double) -> Void
    private var pointer: UInt8 = 0
    /// The registers (CIMDrivers' `BusTimeRegister`; this layer does not import the drivers).
    static let nowRegister: UInt8 = 0x00, waitRegister: UInt8 = 0x01
    /// WAIT writes taken, and the seconds they passed.
    public private(set) var waits = 0
    public private(set) var waitedSeconds = 0.0

    public let address: I2CAddress

    public init(clock: VirtualClock, address: I2CAddress, wait: @escaping (Double) -> Void) {
        self.clock = clock
        self.address = address
        self.wait = wait
    }

    public func receive(_ bytes: [UInt8]) throws(HALError) {
        guard let register = bytes.first else { return }
        pointer = register
        guard bytes.count > 1 else { return }
        guard register == Self.waitRegister, bytes.count == 9 else {
            throw .noAcknowledge(.data, address: address.rawValue)
        }
        var nanoseconds: UInt64 = 0
        for b in bytes[1...] { nanoseconds = nanoseconds << 8 | UInt64(b) }
        let seconds = Double(nanoseconds) * 1e-9
        waits += 1
        waitedSeconds += seconds
        wait(seconds)
    }

    public func transmit(count: Int) throws(HALError) -> [UInt8] {
        guard pointer == Self.nowRegister else { return [UInt8](repeating: 0, count: count) }
        let now = clock.nowNanoseconds
        return (0..<count).map { i in i < 8 ? UInt8(truncatingIfNeeded: now >> (56 - 8 * UInt64(i))) : 0 }
    }
}
