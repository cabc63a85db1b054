import CIMDrivers
import CIMEmulation
import CIMHAL
import Testing

/// Board time over the bus: what `cimfw emulate` serves and a linux board
/// with `[clock] source = "bus"` keeps.
@Suite struct BusTimeDeviceTests {
    @Test func readsTheModelsTimeAndWaitsPassItsIdleTime() throws {
        let clock = VirtualClock(startNanoseconds: 1_500_000_000)
        var waited: [Double] = []
        let bus = EmulatedI2CBus()
        let address = try I2CAddress(0x1F)
        bus.attach(VirtualTimeModel(clock: clock, address: address) { seconds in
            waited.append(seconds)
            clock.advance(seconds: seconds)
        }, at: address)
        let device = BusTimeDevice(bus: bus, address: address, monotonic: { 0 })
        #expect(device.nowSeconds == 1.5)
        device.wait(seconds: 0.25)
        #expect(waited == [0.25])
        #expect(abs(device.nowSeconds - 1.75) < 1e-9)
        let clockView = device.boardClock
        #expect(clockView.isVirtual)
        clockView.wait(until: 2.0)
        #expect(abs(clockView.now() - 2.0) < 1e-9)
        #expect(device.failedReads == 0 && device.failedWaits == 0)
    }

    /// A clock cannot throw: when the device stops answering, time runs on
    /// from the last reading by the monotonic clock, and the misses are counted.
    @Test func aSilentDeviceFallsBackToTheLastReadingPlusMonotonicTime() throws {
        let clock = VirtualClock(startNanoseconds: 2_000_000_000)
        let bus = EmulatedI2CBus()
        let address = try I2CAddress(0x1F)
        bus.attach(VirtualTimeModel(clock: clock, address: address) { clock.advance(seconds: $0) }, at: address)
        var monotonic = 10.0
        let device = BusTimeDevice(bus: bus, address: address, attempts: 2, monotonic: { monotonic })
        #expect(device.nowSeconds == 2.0)
        bus.vanish(address)
        monotonic = 10.5
        #expect(abs(device.nowSeconds - 2.5) < 1e-9)
        device.wait(seconds: 1)
        #expect(device.failedReads == 1 && device.failedWaits == 1)
    }
}
