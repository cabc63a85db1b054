import CIMHAL
@testable import Firmware
import Testing

/// The energy meter on a monitor whose reads fail the way a real bus makes
/// them fail: once in a while, for a few samples, or until it is replugged.
@Suite struct EnergyMeterTests {
    /// A rail at a constant 2 W whose next `failures` reads NACK.
    final class FlakyMonitor: PowerMonitor {
        let railName = "board"
        var failures = 0
        var reads = 0
        let clock: () -> Double
        init(clock: @escaping () -> Double) { self.clock = clock }
        func sample() throws(HALError) -> PowerSample {
            reads += 1
            if failures > 0 {
                failures -= 1
                throw .noAcknowledge(.address, address: 0x40)
            }
            return PowerSample(timestampSeconds: clock(), busVolts: 5, currentAmps: 0.4, powerWatts: 2)
        }
    }

    final class Time {
        var seconds = 0.0
        var clock: BoardClock { BoardClock(now: { self.seconds }, wait: { self.seconds += $0 }, isVirtual: true) }
    }

    /// Retries with 10 ms then 20 ms backoff: three tries per sample.
    let policy = MonitorPolicy(retry: BusRetry(attempts: 3, initialBackoffSeconds: 0.01, maxBackoffSeconds: 1),
                               dropAfterFailures: 3, reprobeSeconds: 10)

    func meter(model: Bool) throws -> (EnergyMeter, FlakyMonitor, Time, [EnergyMeter.Event]) {
        let time = Time()
        let monitor = FlakyMonitor(clock: { time.seconds })
        var events: [EnergyMeter.Event] = []
        let meter = try EnergyMeter(monitor: monitor, energyModelJoules: model ? { 0.5 * time.seconds } : nil,
                                    clock: time.clock, policy: policy) { events.append($0) }
        return (meter, monitor, time, events)
    }

    @Test func oneNACKIsRetriedAndTheReadingKept() throws {
        let (meter, monitor, time, _) = try meter(model: false)
        monitor.failures = 1
        time.seconds += 1
        let joules = meter.endInference()
        #expect(meter.counts.retriesRecovered == 1 && meter.counts.samplesMissed == 0)
        #expect(meter.source == .powerMonitor && !meter.monitorAway)
        #expect(abs(joules - 2 * 1.01) < 1e-9, "2 W over the second and the 10 ms backoff: \(joules)")
        _ = time
    }

    @Test func aSampleLostToAllItsRetriesIsEstimatedAndTheMonitorStays() throws {
        let (meter, monitor, time, _) = try meter(model: true)
        monitor.failures = 3
        time.seconds += 1
        let joules = meter.endInference()
        #expect(meter.counts.samplesMissed == 1 && meter.counts.drops == 0)
        #expect(!meter.monitorAway && meter.source == .powerMonitor)
        #expect(abs(joules - 0.5 * 1.03) < 1e-9, "the energy model's 0.5 W stands in: \(joules)")
        time.seconds += 1
        #expect(abs(meter.endInference() - 2) < 1e-9, "the next sample reads the monitor again")
    }

    @Test func threeFailedSamplesInARowSetTheMonitorAsideUntilAReprobeAnswers() throws {
        let (meter, monitor, time, _) = try meter(model: true)
        monitor.failures = 9
        for _ in 0..<3 {
            time.seconds += 1
            meter.endInference()
        }
        #expect(meter.counts.drops == 1 && meter.monitorAway && meter.source == .energyModel)
        let readsWhileAway = monitor.reads
        time.seconds += 5
        meter.endInference()
        #expect(monitor.reads == readsWhileAway, "no read before the re-probe is due")
        time.seconds += 6
        meter.endInference()
        #expect(meter.counts.returns == 1 && !meter.monitorAway && meter.source == .powerMonitor)
        #expect(meter.counts.awaySeconds > 10 && meter.counts.awaySeconds < 12)
    }

    @Test func withoutAnEnergyModelTheLastGoodReadingIsHeld() throws {
        let (meter, monitor, time, _) = try meter(model: false)
        monitor.failures = 9
        for _ in 0..<3 {
            time.seconds += 1
            meter.endInference()
        }
        #expect(meter.monitorAway && meter.source == .lastReading)
        time.seconds += 1
        #expect(abs(meter.endInference() - 2) < 1e-9, "2 W held over the second")
    }

    @Test func aMonitorSilentAtStartIsSetAsideNotAFailure() throws {
        let time = Time()
        let monitor = FlakyMonitor(clock: { time.seconds })
        monitor.failures = 100
        let meter = try EnergyMeter(monitor: monitor, energyModelJoules: nil, clock: time.clock,
                                    policy: MonitorPolicy(retry: policy.retry, dropAfterFailures: 1, reprobeSeconds: 10))
        #expect(meter.monitorAway)
        monitor.failures = 0
        time.seconds += 11
        meter.endInference()
        #expect(meter.source == .powerMonitor && meter.counts.returns == 1)
    }
}
