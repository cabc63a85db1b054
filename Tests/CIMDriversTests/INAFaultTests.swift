import CIMHAL
import Testing
@testable import CIMDrivers
@testable import CIMEmulation

/// Random bus faults over long runs: every call either returns a sample or
/// throws a typed HALError, and the driver keeps working afterwards.
@Suite struct INAFaultTests {
    @Test func aSampleCostsFourTransactions() throws {
        var bench = try INA226Bench.workedExample()
        try bench.driver.initialize()
        bench.clock.advance(seconds: 2.2e-3)
        let before = bench.bus.transactionCount
        _ = try bench.driver.sample()
        #expect(bench.bus.transactionCount - before == 4,
                "bus, current, power and configuration (the reset check); CAL only after a zero current")
    }

    @Test func randomNACKsAndBitFlipsNeverCrashAndNeverStick() throws {
        var bench = try INA226Bench.workedExample()
        try bench.driver.initialize()
        bench.bus.faults = [.nackRate(0.1), .corruptReadRate(0.05)]
        var good = 0, refused = 0
        for _ in 0..<2000 {
            bench.clock.advance(seconds: 2.2e-3)
            do {
                let sample = try bench.driver.sample()
                if abs(sample.currentAmps - 10) < 1e-9 { good += 1 }
            } catch {
                refused += 1
            }
        }
        // P(no NACK in 4 transactions) = 0.9^4 ≈ 0.66; a bit flip in the
        // configuration read costs a re-initialisation, whose extra
        // transactions can NACK too.
        #expect((600...900).contains(refused), "refused \(refused)")
        #expect(good > 1000)
        bench.bus.faults = []
        bench.clock.advance(seconds: 2.2e-3)
        let sample = try bench.driver.sample()
        #expect(abs(sample.currentAmps - 10) < 1e-9)
        #expect(abs(sample.powerWatts - 119.8) < 1e-9)
    }

    @Test func aVanishedChipIsAnAddressNACKUntilItReturns() throws {
        let bench = try INA3221Bench(trace: INA3221Bench.rails)
        try bench.driver.initialize()
        bench.clock.advance(seconds: 4.4e-3)
        bench.bus.vanish(INA3221Bench.address)
        #expect(throws: HALError.noAcknowledge(.address, address: 0x42)) { try bench.driver.sample(.ch1) }
        bench.bus.reappear(INA3221Bench.address)
        #expect(abs(try bench.driver.sample(.ch1).currentAmps - 0.5) < 1e-9)
    }

    @Test func monitorsWorkThroughThePowerMonitorProtocol() throws {
        var bench = try INA226Bench.workedExample()
        try bench.driver.initialize()
        bench.clock.advance(seconds: 2.2e-3)
        let three = try INA3221Bench(trace: INA3221Bench.rails)
        try three.driver.initialize()
        three.clock.advance(seconds: 4.4e-3)
        var monitors: [any PowerMonitor] = [bench.driver, try three.driver.channel(.ch1), try three.driver.channel(.ch2)]
        var rails: [String] = []
        for index in monitors.indices {
            _ = try monitors[index].sample()
            rails.append(monitors[index].railName)
        }
        #expect(rails == ["12V", "rail1", "rail2"])
    }
}
