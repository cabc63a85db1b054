import CIMHAL
import Testing
@testable import CIMDrivers

@Suite struct InferenceEnergyTests {
    /// Samples every `period` s of a load drawing `active` W inside [a, b] and `idle` W outside,
    /// each sample the exact average over its interval (what an INA's block average reports).
    func samples(period: Double, count: Int, active: Double, idle: Double, window a: Double, _ b: Double) -> [PowerSample] {
        (0..<count).map { k in
            let to = Double(k) * period, from = to - period
            let activeTime = max(0, min(to, b) - max(from, a))
            let p = k == 0 ? idle : (active * activeTime + idle * (period - activeTime)) / period
            return PowerSample(timestampSeconds: to, busVolts: 5, currentAmps: p / 5, powerWatts: p)
        }
    }

    @Test func constantPowerIntegratesExactlyWithNoBound() throws {
        let s = samples(period: 1e-3, count: 100, active: 2, idle: 2, window: 0, 1)
        let e = try InferenceEnergy.integrate(s, from: 0.0105, to: 0.0505, inferences: 4)
        #expect(abs(e.energyJoules - 2 * 0.04) < 1e-12)
        #expect(e.errorBoundJoules == 0)
        #expect(abs(e.joulesPerInference - 0.02) < 1e-12)
    }

    @Test func aStepLoadIsWithinTheEdgeBound() throws {
        // 2 W active inside the marker, 0.5 W idle; INA-like 140 µs samples; edges off the sample grid.
        let a = 0.010_03, b = 0.020_07
        let s = samples(period: 140e-6, count: 300, active: 2, idle: 0.5, window: a, b)
        let e = try InferenceEnergy.integrate(s, from: a, to: b, inferences: 1)
        let truth = 2 * (b - a)
        #expect(abs(e.energyJoules - truth) <= e.errorBoundJoules + 1e-12)
        #expect(e.errorBoundJoules > 0 && e.errorBoundJoules <= 2 * 140e-6 * 1.5 + 1e-12, "|ΔE| ≤ 2·t_s·ΔP")
    }

    @Test func longerWindowsShrinkTheRelativeBound() throws {
        func relativeBound(_ length: Double) throws -> Double {
            let s = samples(period: 140e-6, count: Int((length + 0.02) / 140e-6), active: 2, idle: 0.5, window: 0.01, 0.01 + length)
            let e = try InferenceEnergy.integrate(s, from: 0.01, to: 0.01 + length, inferences: 1)
            return e.errorBoundJoules / e.energyJoules
        }
        #expect(try relativeBound(0.1) < relativeBound(0.01) / 5)
    }

    @Test func sparseSamplesOfAShortConversionWindowWidenTheBound() throws {
        // A load that switches between 1 W and 3 W every 5 ms; an INA converting for 280 µs, read every 2 ms.
        func power(_ t: Double) -> Double { Int(t / 0.005) % 2 == 0 ? 1 : 3 }
        let window = 280e-6, period = 2e-3
        let samples = (0..<200).map { k -> PowerSample in
            let t = Double(k) * period
            // The block average over the conversion window that ended at t.
            var sum = 0.0
            for m in 0..<28 { sum += power(t - window + (Double(m) + 0.5) * window / 28) }
            let p = sum / 28
            return PowerSample(timestampSeconds: t, busVolts: 5, currentAmps: p / 5, powerWatts: p)
        }
        let a = 0.0101, b = 0.3001
        var truth = 0.0
        let steps = 290_000
        for m in 0..<steps { truth += power(a + (Double(m) + 0.5) * (b - a) / Double(steps)) * (b - a) / Double(steps) }
        let sparse = try InferenceEnergy.integrate(samples, from: a, to: b, inferences: 1,
                                                   conversionWindowSeconds: window, powerResolutionWatts: 0.0025)
        #expect(abs(sparse.energyJoules - truth) <= sparse.errorBoundJoules, "estimate \(sparse.energyJoules), truth \(truth), bound \(sparse.errorBoundJoules)")
        #expect(abs(sparse.coverageFraction - 0.14) < 0.01, "280 µs of every 2 ms observed")
        let dense = try InferenceEnergy.integrate(samples, from: a, to: b, inferences: 1)
        #expect(sparse.errorBoundJoules > 3 * dense.errorBoundJoules, "unobserved time is counted")
    }

    @Test func markerEdgesPairRisingWithTheNextFalling() {
        let edges = [GPIOEdgeEvent(edge: .falling, timestampNanoseconds: 5),
                     GPIOEdgeEvent(edge: .rising, timestampNanoseconds: 1_000_000_000),
                     GPIOEdgeEvent(edge: .falling, timestampNanoseconds: 3_000_000_000),
                     GPIOEdgeEvent(edge: .rising, timestampNanoseconds: 4_000_000_000)]
        let windows = InferenceEnergy.windows(from: edges)
        #expect(windows.count == 1)
        #expect(windows[0].startSeconds == 1 && windows[0].endSeconds == 3)
    }

    @Test func samplesThatDoNotCoverTheWindowAreAnError() {
        let s = samples(period: 1e-3, count: 10, active: 1, idle: 1, window: 0, 1)
        #expect(throws: HALError.self) { try InferenceEnergy.integrate(s, from: 0.005, to: 0.5, inferences: 1) }
        #expect(throws: HALError.self) { try InferenceEnergy.integrate(s, from: 0.005, to: 0.004, inferences: 1) }
    }
}
