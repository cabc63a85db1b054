import CIMHAL
import Testing
@testable import CIMSimulator

@Suite struct CharacterizationTests {
    @Test func anIdealBoardMeasuresNoErrorAndTheModelsExactEnergy() throws {
        let c = SimulatorConfiguration.ideal(rows: 64, columns: 32)
        let report = try Characterization(configuration: c, testVectors: 8, ageSeconds: 0).report()
        #expect(report.total.beforeCalibration < 1e-6)
        #expect(report.perEffect.isEmpty && report.effectsOff.count == Effect.allCases.count)
        // Converter energy is exact per MVM; only cell reads depend on the inputs.
        let converters = c.energy.converterJoules(rows: 64, columns: 32, slices: 1, adcBits: c.adc.bits)
        #expect(abs(report.energy.mvm.adcJoules - converters.adcJoules) < 1e-24)
        #expect(abs(report.energy.mvm.dacJoules - converters.dacJoules) < 1e-24)
        #expect(abs(report.energy.mvmSeconds - c.energy.mvmSeconds(slices: 1, adcBits: c.adc.bits, columnsPerADC: 1)) < 1e-18)
        #expect(abs(report.throughput.peakTOPSPerTile - 2.0 * 64 * 32 / report.energy.mvmSeconds / 1e12) < 1e-9)
    }

    /// The chip figure adds each tile's share of the static power over one
    /// multiply to its dynamic energy, and is held against the published one.
    @Test func theChipFigureSharesStaticPowerOverTheTilesAndComparesWithThePublishedOne() throws {
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 32, tiles: 4)
        c.energy.staticWatts = 0.004
        c.energy.publishedTOPSPerWatt = 10
        let report = try Characterization(configuration: c, testVectors: 8, ageSeconds: 0).report()
        let ops = 2.0 * 64 * 32
        let leakage = 0.001 * report.energy.mvmSeconds
        let chip = ops / (report.energy.mvm.totalJoules + leakage) / 1e12
        #expect(abs(report.throughput.chipTOPSPerWatt - chip) <= 1e-12 * chip)
        #expect(report.throughput.chipTOPSPerWatt < report.throughput.coreTOPSPerWatt)
        #expect(report.throughput.publishedTOPSPerWatt == 10)
        #expect(abs((report.throughput.derivedOverPublished ?? 0) - chip / 10) <= 1e-12 * chip)
        c.energy.publishedTOPSPerWatt = 0
        let unstated = try Characterization(configuration: c, testVectors: 8, ageSeconds: 0).report()
        #expect(unstated.throughput.publishedTOPSPerWatt == nil && unstated.throughput.derivedOverPublished == nil)
    }

    @Test func eachEffectIsMeasuredAloneAndCalibrationHelpsWhereItShould() throws {
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 32)
        c.adcMismatch = ADCColumnMismatch(enabled: true, gainStdRelative: 0.05, offsetStdLSB: 1)
        c.readNoise = ReadNoise(enabled: true, sigmaRelative: 0.01)
        let report = try Characterization(configuration: c, testVectors: 16).report()
        #expect(report.perEffect.map(\.effect) == [.readNoise, .adcMismatch])
        let mismatch = try #require(report.perEffect.first { $0.effect == .adcMismatch })
        #expect(mismatch.error.afterCalibration < mismatch.error.beforeCalibration / 10)
        #expect(report.total.afterCalibration < report.total.beforeCalibration)
    }
}
