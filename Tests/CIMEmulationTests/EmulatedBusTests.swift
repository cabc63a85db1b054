import CIMHAL
import Testing
@testable import CIMEmulation

/// A device that stores what it is sent and answers with a counter.
final class EchoDevice: I2CDeviceModel {
    var received: [[UInt8]] = []
    var next: UInt8 = 0
    func receive(_ bytes: [UInt8]) throws(HALError) { received.append(bytes) }
    func transmit(count: Int) throws(HALError) -> [UInt8] {
        (0..<count).map { _ in next &+= 1; return next }
    }
}

@Suite struct EmulatedBusTests {
    let address = try! I2CAddress(0x40)

    @Test func anEmptyAddressIsNotAcknowledged() {
        var bus = EmulatedI2CBus()
        #expect(throws: HALError.noAcknowledge(.address, address: 0x40)) { try bus.write([1], to: address) }
    }

    @Test func legsReachTheDeviceInOrderAndReadsComeBack() throws {
        var bus = EmulatedI2CBus()
        let device = EchoDevice()
        bus.attach(device, at: address)
        let bytes = try bus.writeRead([0x05], readCount: 3, at: address)
        #expect(device.received == [[0x05]])
        #expect(bytes == [1, 2, 3])
        #expect(bus.transactionCount == 1)
    }

    @Test func theNthTransactionCanBeRefusedOrTimeOut() throws {
        var bus = EmulatedI2CBus()
        bus.attach(EchoDevice(), at: address)
        bus.faults = [.nackOnTransaction(2), .timeoutOnTransaction(3)]
        try bus.write([0], to: address)
        #expect(throws: HALError.noAcknowledge(.address, address: 0x40)) { try bus.write([0], to: address) }
        #expect(throws: HALError.self) { try bus.write([0], to: address) }
        try bus.write([0], to: address)
    }

    @Test func aNACKRateRefusesAboutThatShareReproducibly() {
        func refusals(seed: UInt64) -> Int {
            var bus = EmulatedI2CBus(seed: seed)
            bus.attach(EchoDevice(), at: address)
            bus.faults = [.nackRate(0.2)]
            var count = 0
            for _ in 0..<2000 { do { try bus.write([0], to: address) } catch { count += 1 } }
            return count
        }
        let n = refusals(seed: 3)
        #expect(abs(Double(n) / 2000 - 0.2) < 0.03)
        #expect(refusals(seed: 3) == n, "one seed, one fault sequence")
    }

    @Test func aLostAcknowledgeReachesTheDeviceButFailsForTheHost() throws {
        var bus = EmulatedI2CBus()
        let device = EchoDevice()
        bus.attach(device, at: address)
        bus.faults = [.lostAcknowledgeOnTransaction(1)]
        #expect(throws: HALError.noAcknowledge(.data, address: 0x40)) { try bus.write([7], to: address) }
        #expect(device.received == [[7]], "the write happened")
    }

    @Test func aTimeoutRateTimesOutAboutThatShare() {
        var bus = EmulatedI2CBus(seed: 9)
        bus.attach(EchoDevice(), at: address)
        bus.faults = [.timeoutRate(0.1)]
        var timeouts = 0
        for _ in 0..<2000 {
            do { try bus.write([0], to: address) } catch { if case .timeout = error { timeouts += 1 } }
        }
        #expect(abs(Double(timeouts) / 2000 - 0.1) < 0.02)
    }

    @Test func corruptedReadsFlipOneBit() throws {
        var bus = EmulatedI2CBus()
        bus.attach(EchoDevice(), at: address)
        bus.faults = [.corruptReadRate(1)]
        let bytes = try bus.read(count: 2, from: address)
        let flipped = zip(bytes, [UInt8(1), 2]).map { ($0 ^ $1).nonzeroBitCount }.reduce(0, +)
        #expect(flipped == 1)
    }

    @Test func aVanishedDeviceIsNotAcknowledgedUntilItReturns() throws {
        var bus = EmulatedI2CBus()
        bus.attach(EchoDevice(), at: address)
        bus.vanish(address)
        #expect(bus.respondingAddresses.isEmpty)
        #expect(throws: HALError.self) { try bus.read(count: 1, from: address) }
        bus.reappear(address)
        #expect(try bus.read(count: 1, from: address) == [1])
    }

    /// `.vanishing`: away for the last `awaySeconds` of every period of board time.
    @Test func aDeviceVanishesOnItsSchedule() throws {
        var bus = EmulatedI2CBus()
        bus.attach(EchoDevice(), at: address)
        var now = 0.0
        bus.now = { now }
        bus.faults = [.vanishing(address: address.rawValue, everySeconds: 10, awaySeconds: 2)]
        for (t, present) in [(0.0, true), (7.9, true), (8.0, false), (9.9, false), (10.0, true), (18.5, false), (21, true)] {
            now = t
            let answered = (try? bus.read(count: 1, from: address)) != nil
            #expect(answered == present, "at \(t) s")
        }
        #expect(bus.injected.vanishedTransactions == 3)
    }

    /// What was injected is counted by kind, corrupted reads by device.
    @Test func injectedFaultsAreCountedByKind() throws {
        var bus = EmulatedI2CBus(seed: 5)
        bus.attach(EchoDevice(), at: address)
        bus.faults = [.nackRate(0.1), .timeoutRate(0.1), .corruptReadRate(0.1)]
        var failures = 0
        for _ in 0..<2000 { if (try? bus.read(count: 4, from: address)) == nil { failures += 1 } }
        #expect(bus.injected.nacks + bus.injected.timeouts == failures)
        #expect(bus.injected.nacks > 100 && bus.injected.timeouts > 100)
        #expect((bus.injected.corruptedReads[address.rawValue] ?? 0) > 100)
    }

    /// The fault-free view reaches the same devices with no faults and no count.
    @Test func theFaultFreeViewSeesTheTruth() throws {
        let bus = EmulatedI2CBus()
        bus.attach(EchoDevice(), at: address)
        bus.faults = [.nackRate(1)]
        var view = bus.faultFree
        #expect(try view.read(count: 2, from: address) == [1, 2])
        #expect(bus.transactionCount == 0)
    }
}

@Suite struct VirtualGPIOTests {
    @Test func edgesAreQueuedWithTheClocksTimestamps() throws {
        let clock = VirtualClock()
        let chip = VirtualGPIOChip(clock: clock)
        chip.addLine("MARKER")
        var out = try chip.output("MARKER")
        var watch = try chip.input("MARKER")
        clock.advance(nanoseconds: 1_000)
        try out.set(.high)
        clock.advance(nanoseconds: 2_000)
        try out.set(.low)
        try out.set(.low)
        #expect(try watch.waitForEdge(timeoutSeconds: 0) == GPIOEdgeEvent(edge: .rising, timestampNanoseconds: 1_000))
        #expect(try watch.waitForEdge(timeoutSeconds: 0) == GPIOEdgeEvent(edge: .falling, timestampNanoseconds: 3_000))
        #expect(try watch.waitForEdge(timeoutSeconds: 0.01) == nil, "no repeated edge for an unchanged level")
    }

    @Test func unknownLinesAreErrors() {
        let chip = VirtualGPIOChip(clock: VirtualClock())
        #expect(throws: HALError.self) { try chip.output("RESET") }
    }
}
