import CIMHAL
import Testing
@testable import CIMSimulator

@Suite struct EnergyTests {
    @Test func sixBitADCConversionCostsAbout53Femtojoules() {
        let model = SimulatorConfiguration.ideal().energy
        // NeuroSim 22 nm: (0.538·6 + 4.3753) µW × 7 ns.
        #expect(abs(model.adcConversionJoules(bits: 6) - 53.2e-15) < 0.2e-15)
        #expect(model.adcConversionJoules(bits: 8) > model.adcConversionJoules(bits: 6))
    }

    @Test func aFigureOfMeritMakesAConversionCostItTimesTwoToTheBits() {
        var model = SimulatorConfiguration.ideal().energy
        model.adcMicrowattsPerBit = 0
        model.adcMicrowattsBase = 0
        model.adcJoulesPerConversionStep = 7e-15
        // Jia et al. 2020's 8-bit SAR: 1.79 pJ = 7 fJ x 256; two bits fewer cost a quarter.
        #expect(abs(model.adcConversionJoules(bits: 8) - 1.792e-12) < 1e-18)
        #expect(abs(model.adcConversionJoules(bits: 6) - model.adcConversionJoules(bits: 8) / 4) < 1e-24)
    }

    /// A host-driven multiply's digital side: every input code into the
    /// buffers and every output code out of them, and one command decoded.
    @Test func aHostDrivenMultiplyBooksItsCodesThroughTheBuffersAndOneCommand() throws {
        var c = SimulatorConfiguration.ideal(rows: 8, columns: 4)
        c.execution.sequencer.bufferJoulesPerByte = 1e-12
        c.execution.sequencer.stepJoules = 5e-12
        c.energy.peripheryJoulesPerMVM = 3e-12
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: try Fixture.weights(rows: 8, columns: 4), policy: .singleShot)
        var out = [Float](repeating: 0, count: 4)
        let before = a.ledger.mvm
        try a.multiplyValues(tile: 0, input: [Float](repeating: 0.5, count: 8), into: &out)
        let after = a.ledger.mvm
        // 8-bit DAC and ADC: 8 codes in and 4 out, a byte each.
        #expect(abs((after.bufferJoules - before.bufferJoules) - 12e-12) < 1e-24)
        #expect(abs((after.controlJoules - before.controlJoules) - 5e-12) < 1e-24)
        #expect(abs((after.peripheryJoules - before.peripheryJoules) - 3e-12) < 1e-24, "the optional fitted term, when a file sets one")
        // Each component where the ledger keeps it (the values differ, so a swap shows).
        let breakdown = a.ledger.breakdown, m = a.ledger.mvm
        #expect(breakdown.dacJoules == m.dacJoules && breakdown.cellReadJoules == m.cellReadJoules && breakdown.adcJoules == m.adcJoules)
        #expect(breakdown.columnDigitalJoules == m.digitalJoules && breakdown.bufferJoules == m.bufferJoules)
        #expect(breakdown.controlJoules == m.controlJoules && breakdown.peripheryJoules == m.peripheryJoules)
        #expect(breakdown.leakageJoules == a.ledger.staticJoules && breakdown.boardOverheadJoules == a.ledger.boardOverheadJoules)
        #expect(breakdown.programmingJoules == a.ledger.programmingJoules && breakdown.programmingJoules > 0)
        #expect(abs(breakdown.coreJoules - a.ledger.mvm.totalJoules) < 1e-24)
        #expect(abs(breakdown.totalJoules - a.ledger.totalJoules) <= 1e-12 * a.ledger.totalJoules)
    }

    @Test func cellReadEnergyIsVSquaredGTimesPulse() throws {
        let c = SimulatorConfiguration.ideal(rows: 8, columns: 4)
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: try Fixture.weights(rows: 8, columns: 4), policy: .singleShot)
        let g = try #require(a.programmedConductances(tile: 0))
        let x: [Float] = [1, -1, 0.5, 0, 0.25, -0.75, 1, 0]
        var out = [Float](repeating: 0, count: 4)
        let before = a.ledger.mvm
        try a.multiplyValues(tile: 0, input: x, into: &out)
        var expected = 0.0
        for i in 0..<8 {
            let v = Double(x[i]) * c.energy.readVolts
            for p in 0..<8 { expected += v * v * g[i * 8 + p] * c.energy.readPulseSeconds }
        }
        let measured = a.ledger.mvm.cellReadJoules - before.cellReadJoules
        #expect(abs(measured - expected) < 1e-6 * expected)
        // Converters: one DAC per row, one ADC and digital step per column.
        let converters = a.ledger.mvm.dacJoules - before.dacJoules
        #expect(abs(converters - 8 * c.energy.dacEnergyJoules) < 1e-24)
        #expect(abs((a.ledger.mvm.adcJoules - before.adcJoules) - 4 * c.energy.adcConversionJoules(bits: 8)) < 1e-24)
    }

    @Test func anIdleBoardStillDrawsStaticAndBoardPower() throws {
        let c = SimulatorConfiguration.ideal()
        let a = try SimulatedAccelerator(configuration: c)
        var monitor = SimulatedPowerMonitor(accelerator: a)
        a.advance(seconds: 10)
        let sample = try monitor.sample()
        let idle = c.energy.staticWatts + c.energy.boardOverheadWatts
        #expect(abs(sample.powerWatts - idle) < 1e-12)
        #expect(abs(sample.currentAmps * sample.busVolts - sample.powerWatts) < 1e-12)
        #expect(sample.timestampSeconds == 10)
        #expect(abs(a.ledger.totalJoules - 10 * idle) < 1e-12)
    }

    @Test func busyPowerExceedsIdlePower() throws {
        let c = SimulatorConfiguration.ideal()
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: try Fixture.weights(rows: 64, columns: 64), policy: .singleShot)
        var monitor = SimulatedPowerMonitor(accelerator: a)
        var out = [Int32](repeating: 0, count: 64)
        for _ in 0..<100 { try a.multiply(tile: 0, inputCodes: [Int32](repeating: 100, count: 64), into: &out) }
        #expect(try monitor.sample().powerWatts > c.energy.staticWatts + c.energy.boardOverheadWatts)
    }

    @Test func theDigitalBaselineUsesTheArticlesFigures() {
        let e = DigitalBaseline().mvmEnergy(rows: 256, columns: 256)
        #expect(abs(e.computeJoules - 65_536 * 4.5e-12) < 1e-18)
        // 256x256 32-bit weights plus 512 32-bit activations, each byte at 640 pJ.
        #expect(abs(e.dataMovementJoules - Double(65_536 * 4 + 512 * 4) * 640e-12) < 1e-15)
        let batched = DigitalBaseline().mvmEnergy(rows: 256, columns: 256, batch: 64)
        #expect(batched.dataMovementJoules < e.dataMovementJoules / 30, "a batch shares one weight fetch")
    }
}
