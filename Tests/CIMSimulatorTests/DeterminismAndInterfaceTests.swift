import CIMHAL
import Testing
@testable import CIMSimulator

@Suite struct DeterminismTests {
    func everyEffectOn(seed: UInt64) -> SimulatorConfiguration {
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 32, seed: seed)
        for effect in Effect.allCases { c.set(effect, enabled: true) }
        c.programming.variabilityRelative = 0.1
        c.stuckAt = StuckAtFaults(enabled: true, stuckOnRate: 0.01, stuckOffRate: 0.01)
        c.drift = ConductanceDrift(enabled: true, exponentMean: 0.05, exponentStd: 0.01, referenceSeconds: 20)
        c.temperature = TemperatureDependence(enabled: true, coefficientMeanPerKelvin: -0.003, coefficientStdPerKelvin: 0.001, referenceCelsius: 25)
        c.readNoise.sigmaRelative = 0.02
        c.irDrop.wireOhmsPerSegment = 0.5
        c.adcMismatch = ADCColumnMismatch(enabled: true, gainStdRelative: 0.02, offsetStdLSB: 0.5)
        c.thermal = .fixed(celsius: 40)
        return c
    }

    func run(_ c: SimulatorConfiguration) throws -> [Int32] {
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: try Fixture.weights(rows: 64, columns: 32), policy: WriteVerifyPolicy(toleranceRelative: 0.02, maxPulses: 8))
        a.advance(seconds: 600)
        _ = try a.calibrate(tile: 0, method: .referenceInputs(count: 8))
        var codes = [Int32](repeating: 0, count: 32 * 16)
        let x = (0..<(64 * 16)).map { Int32($0 % 255) - 127 }
        try a.multiplyBatch(tile: 0, batchSize: 16, inputCodes: x, into: &codes)
        return codes
    }

    @Test func oneSeedReproducesARunBitForBit() throws {
        #expect(try run(everyEffectOn(seed: 42)) == run(everyEffectOn(seed: 42)))
    }

    @Test func anotherSeedGivesAnotherRun() throws {
        #expect(try run(everyEffectOn(seed: 42)) != run(everyEffectOn(seed: 43)))
    }

    @Test func switchingStuckCellsOffLeavesEveryOtherCellsDrawsAlone() throws {
        // Stuck cells still draw their programming outcome, so the healthy
        // cells' draws do not shift when the fault map changes.
        let on = everyEffectOn(seed: 7)
        var off = on
        off.stuckAt.enabled = false
        let a = try SimulatedAccelerator(configuration: on), b = try SimulatedAccelerator(configuration: off)
        let w = try Fixture.weights(rows: 64, columns: 32)
        _ = try a.program(tile: 0, weights: w, policy: WriteVerifyPolicy(toleranceRelative: 0.02, maxPulses: 8))
        _ = try b.program(tile: 0, weights: w, policy: WriteVerifyPolicy(toleranceRelative: 0.02, maxPulses: 8))
        let ga = try #require(a.programmedConductances(tile: 0)), gb = try #require(b.programmedConductances(tile: 0))
        let map = try #require(a.stuckCells(tile: 0))
        #expect(map.contains(.stuckOn) && map.contains(.stuckOff))
        for n in ga.indices where map[n] == .healthy { #expect(ga[n] == gb[n]) }
    }
}

@Suite struct AcceleratorInterfaceTests {
    let accelerator: SimulatedAccelerator

    init() throws {
        accelerator = try SimulatedAccelerator(configuration: .ideal(rows: 16, columns: 8, tiles: 2))
    }

    @Test func wrongShapesAndTilesAreRejected() throws {
        var out = [Int32](repeating: 0, count: 8)
        #expect(throws: HALError.self) { try accelerator.multiply(tile: 2, inputCodes: [Int32](repeating: 0, count: 16), into: &out) }
        #expect(throws: HALError.self) { try accelerator.multiply(tile: 0, inputCodes: [Int32](repeating: 0, count: 15), into: &out) }
        var short = [Int32](repeating: 0, count: 7)
        #expect(throws: HALError.self) { try accelerator.multiply(tile: 0, inputCodes: [Int32](repeating: 0, count: 16), into: &short) }
        #expect(throws: HALError.self) { try accelerator.program(tile: 0, weights: try Fixture.weights(rows: 17, columns: 8), policy: .singleShot) }
        #expect(throws: HALError.self) { try accelerator.program(tile: 0, weights: try Fixture.weights(rows: 4, columns: 4), policy: WriteVerifyPolicy(toleranceRelative: 0.01, maxPulses: 0)) }
    }

    @Test func theMostNegativeInputCodeIsRejectedNotACrash() throws {
        var out = [Int32](repeating: 0, count: 8)
        var x = [Int32](repeating: 0, count: 16)
        x[0] = .min
        #expect(throws: HALError.self) { try accelerator.multiply(tile: 0, inputCodes: x, into: &out) }
    }

    @Test func inspectingATileThatDoesNotExistGivesNil() {
        #expect(accelerator.programmedConductances(tile: 9) == nil)
        #expect(accelerator.effectiveNormalizedWeight(tile: -1, row: 0, column: 0) == nil)
        #expect(throws: HALError.self) { try accelerator.readout(tile: 5) }
    }

    @Test func anIRDropBeyondTheFirstOrderModelIsRefused() {
        var c = SimulatorConfiguration.ideal(rows: 256, columns: 256)
        c.irDrop = IRDrop(enabled: true, wireOhmsPerSegment: 5)
        #expect(throws: HALError.self) { try SimulatedAccelerator(configuration: c) }
    }

    @Test func inputCodesBeyondTheDACAreRejectedNotClipped() throws {
        var out = [Int32](repeating: 0, count: 8)
        var x = [Int32](repeating: 0, count: 16)
        x[3] = 128
        #expect(throws: HALError.invalidArgument("input code 128 at row 3 of vector 0 is outside ±127 for a 8-bit DAC")) {
            try accelerator.multiply(tile: 0, inputCodes: x, into: &out)
        }
    }

    @Test func aBatchWithOneBadVectorChangesNothing() throws {
        _ = try accelerator.program(tile: 0, weights: try Fixture.weights(rows: 16, columns: 8), policy: .singleShot)
        let ledger = accelerator.ledger
        var x = [Int32](repeating: 5, count: 16 * 4)
        x[16 * 3 + 2] = -200
        var out = [Int32](repeating: 99, count: 8 * 4)
        #expect(throws: HALError.self) { try accelerator.multiplyBatch(tile: 0, batchSize: 4, inputCodes: x, into: &out) }
        #expect(out.allSatisfy { $0 == 99 }, "no vector of a rejected batch is written")
        #expect(accelerator.ledger == ledger, "no time or energy booked")
    }

    /// With the portable kernel, parallel-input batches run two vectors per
    /// pass (the pair path); with AVX, one at a time. Both must give the bits
    /// of single calls.
    @Test(arguments: [ColumnKernel.portable, ColumnKernel.avx, ColumnKernel.avx512].filter(\.isAvailable))
    func aBatchGivesTheSameBitsAsSingleCalls(kernel: ColumnKernel) throws {
        for bitSerial in [false, true] {
            var c = SimulatorConfiguration.ideal(rows: 70, columns: 37)
            c.readNoise = ReadNoise(enabled: true, sigmaRelative: 0.02)
            c.adc = ADCQuantizer(enabled: true, bits: 8, fullScaleFraction: 0.125)
            c.dac = DACQuantizer(enabled: true, bits: 8, bitSerial: bitSerial)
            c.adcMismatch = ADCColumnMismatch(enabled: true, gainStdRelative: 0.02, offsetStdLSB: 0.5)
            let w = try Fixture.weights(rows: 70, columns: 37)
            let x = (0..<(70 * 5)).map { Int32($0 * 37 % 255) - 127 }
            let batched = try SimulatedAccelerator(configuration: c)
            batched.kernel = kernel
            _ = try batched.program(tile: 0, weights: w, policy: .singleShot)
            var together = [Int32](repeating: 0, count: 37 * 5)
            try batched.multiplyBatch(tile: 0, batchSize: 5, inputCodes: x, into: &together)
            let single = try SimulatedAccelerator(configuration: c)
            single.kernel = kernel
            _ = try single.program(tile: 0, weights: w, policy: .singleShot)
            var oneByOne: [Int32] = []
            var out = [Int32](repeating: 0, count: 37)
            for v in 0..<5 {
                try single.multiply(tile: 0, inputCodes: Array(x[(v * 70)..<((v + 1) * 70)]), into: &out)
                oneByOne += out
            }
            #expect(together == oneByOne, "bit-serial: \(bitSerial)")
            #expect(batched.ledger == single.ledger)
        }
    }

    @Test func aSmallMatrixUsesTheTopLeftOfTheTileAndTheRestReadsZero() throws {
        let w = try WeightMatrix(rows: 2, columns: 2, values: [0.5, -0.25, 1, 0.75])
        let report = try accelerator.program(tile: 1, weights: w, policy: .singleShot)
        var out = [Int32](repeating: 0, count: 8)
        var x = [Int32](repeating: 0, count: 16)
        x[0] = 127; x[1] = 127; x[5] = 127
        try accelerator.multiply(tile: 1, inputCodes: x, into: &out)
        #expect(abs(report.readout.value(ofOutputCode: out[0], column: 0) - 1.5) < 0.02)
        #expect(abs(report.readout.value(ofOutputCode: out[1], column: 1) - 0.5) < 0.02)
        #expect(out[2...].allSatisfy { $0 == 0 })
    }

    @Test func resetClearsTrimsButKeepsNonVolatileWeights() throws {
        _ = try accelerator.program(tile: 0, weights: try Fixture.weights(rows: 16, columns: 8), policy: .singleShot)
        let before = accelerator.programmedConductances(tile: 0)
        try accelerator.reset()
        #expect(accelerator.programmedConductances(tile: 0) == before)
        var c = SimulatorConfiguration.ideal(rows: 16, columns: 8)
        c.mapping.volatile = true
        let sram = try SimulatedAccelerator(configuration: c)
        _ = try sram.program(tile: 0, weights: try Fixture.weights(rows: 16, columns: 8), policy: .singleShot)
        try sram.reset()
        #expect(try #require(sram.programmedConductances(tile: 0)).allSatisfy { $0 == c.mapping.gMinSiemens })
        // Stuck cells stay stuck through a reset.
        c.stuckAt = StuckAtFaults(enabled: true, stuckOnRate: 0.05, stuckOffRate: 0)
        let faulty = try SimulatedAccelerator(configuration: c)
        _ = try faulty.program(tile: 0, weights: try Fixture.weights(rows: 16, columns: 8), policy: .singleShot)
        try faulty.reset()
        let g = try #require(faulty.programmedConductances(tile: 0)), map = try #require(faulty.stuckCells(tile: 0))
        #expect(map.contains(.stuckOn))
        for n in g.indices { #expect(g[n] == (map[n] == .stuckOn ? c.mapping.gMaxSiemens : c.mapping.gMinSiemens)) }
    }
}
