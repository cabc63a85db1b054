import CIMHAL
import Testing
@testable import CIMSimulator

@Suite struct ProgrammingVariabilityTests {
    let range = 38e-6
    let target = 20e-6

    func relativeErrors(_ model: ProgrammingVariability, policy: WriteVerifyPolicy, count: Int = 20_000) -> (errors: [Double], pulses: [Int]) {
        var rng = SeededGenerator(seed: 3)
        var errors: [Double] = [], pulses: [Int] = []
        for _ in 0..<count {
            let r = model.program(targetSiemens: target, rangeSiemens: range, policy: policy, rng: &rng)
            errors.append((r.conductanceSiemens - target) / target)
            pulses.append(r.pulses)
        }
        return (errors, pulses)
    }

    @Test func singleShotUniformTenPercentStaysWithinTenPercent() {
        let model = ProgrammingVariability(enabled: true, variabilityRelative: 0.10, distribution: .uniform, pulseGranularityRelative: 0)
        let (errors, pulses) = relativeErrors(model, policy: .singleShot)
        #expect(errors.allSatisfy { abs($0) <= 0.10 })
        #expect(abs(Fixture.standardDeviation(errors) - 0.10 / 3.0.squareRoot()) < 0.002, "U(−0.1, 0.1) has σ = 0.1/√3")
        #expect(abs(Fixture.mean(errors)) < 0.002)
        #expect(pulses.allSatisfy { $0 == 1 })
    }

    @Test func writeVerifyNarrowsTheErrorAtACostInPulses() {
        let model = ProgrammingVariability(enabled: true, variabilityRelative: 0.10, distribution: .uniform, pulseGranularityRelative: 0.002)
        let single = relativeErrors(model, policy: .singleShot)
        let verified = relativeErrors(model, policy: WriteVerifyPolicy(toleranceRelative: 0.01, maxPulses: 20))
        let singleSigma = Fixture.standardDeviation(single.errors)
        let verifiedSigma = Fixture.standardDeviation(verified.errors)
        #expect(verifiedSigma < singleSigma / 3, "σ \(singleSigma) → \(verifiedSigma)")
        // Every cell ends within tolerance (0.01 of range = 0.019 of this target).
        #expect(verified.errors.allSatisfy { abs($0) * target <= 0.01 * range + 1e-18 })
        let meanPulses = Fixture.mean(verified.pulses.map(Double.init))
        #expect(meanPulses > 1.5, "write-verify spends extra pulses: \(meanPulses)")
    }

    @Test func aTighterToleranceCostsMorePulsesAndTimeAndEnergy() throws {
        var c = SimulatorConfiguration.ideal(rows: 32, columns: 32)
        c.programming = ProgrammingVariability(enabled: true, variabilityRelative: 0.1, distribution: .uniform, pulseGranularityRelative: 0.002)
        let w = try Fixture.weights(rows: 32, columns: 32)
        let loose = try SimulatedAccelerator(configuration: c).program(tile: 0, weights: w, policy: WriteVerifyPolicy(toleranceRelative: 0.05, maxPulses: 30))
        let tight = try SimulatedAccelerator(configuration: c).program(tile: 0, weights: w, policy: WriteVerifyPolicy(toleranceRelative: 0.005, maxPulses: 30))
        #expect(tight.totalPulses > loose.totalPulses)
        #expect(tight.durationSeconds > loose.durationSeconds)
        #expect(tight.energyJoules > loose.energyJoules)
        #expect(tight.rmsErrorRelative < loose.rmsErrorRelative)
        // 64 cells at a time, each group as slow as its slowest cell: between
        // the perfectly balanced and the all-worst case.
        let perPulse = c.programmingCost.pulseSeconds + c.programmingCost.verifyReadSeconds
        let groups = Double(32 * 64 / 64)
        #expect(tight.durationSeconds >= Double(tight.totalPulses) * perPulse / 64 - 1e-15)
        #expect(tight.durationSeconds <= groups * Double(tight.maxPulsesOnOneCell) * perPulse + 1e-15)
        #expect(abs(tight.energyJoules - Double(tight.totalPulses) * (c.programmingCost.pulseEnergyJoules + c.programmingCost.verifyReadEnergyJoules)) < 1e-21)
    }

    @Test func singleShotTimeIsOnePulsePerGroupOfParallelCells() throws {
        var c = SimulatorConfiguration.ideal(rows: 32, columns: 32)
        c.programming = ProgrammingVariability(enabled: true, variabilityRelative: 0.1, distribution: .uniform, pulseGranularityRelative: 0)
        c.programmingCost.cellsInParallel = 100
        let report = try SimulatedAccelerator(configuration: c).program(tile: 0, weights: try Fixture.weights(rows: 32, columns: 32), policy: .singleShot)
        // 2048 cells in groups of 100: 21 pulse slots, no verify reads.
        #expect(report.totalPulses == 2048)
        #expect(abs(report.durationSeconds - 21 * c.programmingCost.pulseSeconds) < 1e-18)
    }

    @Test func aToleranceBelowTheGranularityLeavesCellsOutsideAndReportsThem() throws {
        var c = SimulatorConfiguration.ideal(rows: 16, columns: 16)
        c.programming = ProgrammingVariability(enabled: true, variabilityRelative: 0.1, distribution: .uniform, pulseGranularityRelative: 0.01)
        let report = try SimulatedAccelerator(configuration: c).program(
            tile: 0, weights: try Fixture.weights(rows: 16, columns: 16), policy: WriteVerifyPolicy(toleranceRelative: 0.0005, maxPulses: 4))
        #expect(report.cellsOutsideTolerance > 0)
        #expect(report.maxPulsesOnOneCell == 4)
    }

    @Test func switchedOffProgrammingHitsTheTargetExactly() {
        var rng = SeededGenerator(seed: 1)
        let r = ProgrammingVariability.off.program(targetSiemens: target, rangeSiemens: range, policy: .singleShot, rng: &rng)
        #expect(r.conductanceSiemens == target && r.pulses == 1)
    }
}
