import CIMHAL
import Testing

@Suite("Energy from power readings that each close an interval")
struct PiecewiseConstantEnergyTests {
    @Test("a reading counts only the part of its interval inside the window")
    func overlap() {
        // 2 W over (1, 3]: the window [2, 5] holds 1 s of it.
        #expect(PiecewiseConstantEnergy.joules(watts: 2, from: 1, to: 3, start: 2, end: 5) == 2)
        #expect(PiecewiseConstantEnergy.joules(watts: 2, from: 1, to: 3, start: 3, end: 5) == 0, "an interval that ends at the window's start adds nothing")
        #expect(PiecewiseConstantEnergy.joules(watts: 2, from: 6, to: 7, start: 3, end: 5) == 0)
        #expect(PiecewiseConstantEnergy.joules(watts: 0.5, from: 10, to: 14) == 2, "the whole interval")
        #expect(PiecewiseConstantEnergy.joules(watts: 0.5, from: 14, to: 10) == 0, "a reversed interval holds no time")
    }

    @Test("readings over a window sum to the energy of the steps they describe")
    func steps() {
        // 1 W until t = 2, then 3 W: readings at 1, 2, 3, 4 close (0,1], (1,2], (2,3], (3,4].
        let readings: [(t: Double, watts: Double)] = [(1, 1), (2, 1), (3, 3), (4, 3)]
        var joules = 0.0, previous = 0.0
        for r in readings {
            joules += PiecewiseConstantEnergy.joules(watts: r.watts, from: previous, to: r.t, start: 1.5, end: 3.5)
            previous = r.t
        }
        #expect(abs(joules - (0.5 * 1 + 1.5 * 3)) < 1e-12)
    }
}
