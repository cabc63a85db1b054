import CIMHAL
import Testing
@testable import CIMDrivers
@testable import CIMEmulation

/// Random bus faults over long runs: every call either returns a sample or
/// throws a typed HALError, and the driver keeps working afterwards.
@Suite struct INAFaultTests {
    @Test func aSampleCostsTwelveTransactions() throws {
        var bench = try INA226Bench.workedExample()
        try bench.driver.initialize()
        bench.clock.advance(seconds: 2.2e-3)
        let before = bench.bus.transactionCount
        _ = try bench.driver.sample()
        #expect(bench.bus.transactionCount - before == 12,
                "bus, current, power and configuration (the reset check), each read until three reads agree; CAL only after a zero current")
    }

    /// NACKs refuse samples; flipped bits never reach one: every sample the
    /// driver returns is the chip's, and the driver keeps working.
    @Test func randomNACKsAndBitFlipsNeverCrashNeverStickAndNeverMisread() throws {
        var bench = try INA226Bench.workedExample()
        try bench.driver.initialize()
        bench.bus.faults = [.nackRate(0.02), .corruptReadRate(0.05)]
        var accepted = 0, good = 0, refused = 0
        for _ in 0..<2000 {
            bench.clock.advance(seconds: 2.2e-3)
            do {
                let sample = try bench.driver.sample()
                accepted += 1
                if abs(sample.currentAmps - 10) < 1e-9 && abs(sample.powerWatts - 119.8) < 1e-9 { good += 1 }
            } catch {
                refused += 1
            }
        }
        #expect(good == accepted, "\(accepted - good) samples carried a flipped bit")
        // P(no NACK in 12 transactions) = 0.98^12 ≈ 0.78.
        #expect(accepted > 1200 && refused > 200, "accepted \(accepted), refused \(refused)")
        #expect(bench.bus.injected.corruptedReads.values.reduce(0, +) > 500)
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
