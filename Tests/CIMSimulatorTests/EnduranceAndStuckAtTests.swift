import CIMHAL
import Testing
@testable import CIMSimulator

@Suite struct EnduranceTests {
    @Test func everyProgrammingCountsOneCyclePerCell() throws {
        let a = try SimulatedAccelerator(configuration: .ideal(rows: 8, columns: 8))
        let w = try Fixture.weights(rows: 8, columns: 8)
        for _ in 0..<3 { _ = try a.program(tile: 0, weights: w, policy: .singleShot) }
        #expect(try #require(a.programCycles(tile: 0)).allSatisfy { $0 == 3 })
    }

    @Test func cellsPastTheirLimitFreezeAndAreReported() throws {
        var c = SimulatorConfiguration.ideal(rows: 8, columns: 8)
        c.endurance = Endurance(limitCycles: 2)
        let a = try SimulatedAccelerator(configuration: c)
        let first = try Fixture.weights(rows: 8, columns: 8, seed: 1)
        let second = try Fixture.weights(rows: 8, columns: 8, seed: 2)
        _ = try a.program(tile: 0, weights: first, policy: .singleShot)
        let ok = try a.program(tile: 0, weights: first, policy: .singleShot)
        #expect(ok.wornOutCells == 0)
        let frozen = try #require(a.programmedConductances(tile: 0))
        let worn = try a.program(tile: 0, weights: second, policy: .singleShot)
        #expect(worn.wornOutCells == 8 * 16, "all 128 cells have used their two cycles")
        #expect(try #require(a.programmedConductances(tile: 0)) == frozen, "worn cells keep their last state")
        #expect(worn.rmsErrorRelative > 0.1, "the new weights did not land")
    }

    @Test func cellsThatCannotBeWrittenKeepDriftingFromTheirLastWrite() throws {
        var c = SimulatorConfiguration.ideal(rows: 16, columns: 16)
        c.endurance = Endurance(limitCycles: 1)
        c.mapping.gMinSiemens = 0
        c.drift = ConductanceDrift(enabled: true, exponentMean: 0.05, exponentStd: 0, referenceSeconds: 20)
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: try Fixture.weights(rows: 16, columns: 16, seed: 1), policy: .singleShot)
        a.advance(seconds: 86_400)
        let aged = try #require(a.effectiveNormalizedWeight(tile: 0, row: 2, column: 3))
        let report = try a.program(tile: 0, weights: try Fixture.weights(rows: 16, columns: 16, seed: 2), policy: .singleShot)
        #expect(report.wornOutCells == 16 * 32)
        let after = try #require(a.effectiveNormalizedWeight(tile: 0, row: 2, column: 3))
        #expect(abs(after - aged) < 1e-3 * abs(aged), "a day's drift is kept, not undone by a write that did not happen")
    }

    @Test func zeroMeansUnlimited() {
        #expect(Endurance.unlimited.acceptsCycle(after: 1_000_000_000))
        #expect(!Endurance(limitCycles: 10).acceptsCycle(after: 10))
    }
}

@Suite struct StuckAtFaultTests {
    @Test func faultRatesMatchTheConfiguredRates() {
        var rng = SeededGenerator(seed: 5)
        let map = StuckAtFaults(enabled: true, stuckOnRate: 0.01, stuckOffRate: 0.02).drawMap(cells: 200_000, rng: &rng)
        let on = Double(map.filter { $0 == .stuckOn }.count) / 200_000
        let off = Double(map.filter { $0 == .stuckOff }.count) / 200_000
        #expect(abs(on - 0.01) < 0.001 && abs(off - 0.02) < 0.0015, "on \(on), off \(off)")
    }

    @Test func stuckCellsIgnoreProgrammingAndAreCounted() throws {
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 64)
        c.stuckAt = StuckAtFaults(enabled: true, stuckOnRate: 0.02, stuckOffRate: 0.02)
        let a = try SimulatedAccelerator(configuration: c)
        let report = try a.program(tile: 0, weights: try Fixture.weights(rows: 64, columns: 64), policy: .singleShot)
        let g = try #require(a.programmedConductances(tile: 0))
        let atMax = g.filter { $0 == c.mapping.gMaxSiemens }.count
        #expect(report.stuckOnCells > 0 && report.stuckOffCells > 0)
        let map = try #require(a.stuckCells(tile: 0))
        for n in g.indices {
            if map[n] == .stuckOn { #expect(g[n] == c.mapping.gMaxSiemens) }
            if map[n] == .stuckOff { #expect(g[n] == c.mapping.gMinSiemens) }
        }
        #expect(atMax >= report.stuckOnCells, "stuck-ON cells sit at Gmax")
        let cells = 64 * 128
        #expect(abs(Double(report.stuckOnCells) / Double(cells) - 0.02) < 0.006)
        #expect(report.rmsErrorRelative > 0.05, "stuck cells show up as programming error")
    }
}
