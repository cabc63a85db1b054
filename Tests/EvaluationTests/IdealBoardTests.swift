import BoardSupport
import CIMSimulator
import Foundation
import KWS
import Testing
@testable import Evaluation

/// On a board with every analog effect off the answers are known: the
/// accelerator classifies like the float model, the power monitor measures
/// exactly what the energy model booked, nothing moves with temperature or
/// time, and the array multiplies exactly.
@Suite struct IdealBoardTests {
    nonisolated(unsafe) static var cached: EvaluationReport?

    static func report() throws -> EvaluationReport {
        if let cached { return cached }
        let (image, set) = try Fixture.imageAndClips()
        // Effects off, and a 16-bit readout: the HAL's output codes are
        // integers, so at 6 bits a partly driven column rounds by percents.
        let ideal = try Fixture.rram {
            $0 = $0.withAllEffectsOff()
            $0.adc.bits = 16
        }
        let settings = Fixture.smallSettings
        let evaluator = try Evaluator(image: image, testSet: set, settings: settings)
        let report = try evaluator.run(
            boards: [BoardEvaluator(boardFile: "ideal-rram.toml", seed: 1, image: image, settings: settings, open: Fixture.opener(ideal))],
            provenance: Provenance(version: "test", generatedAt: "2026-01-01T00:00:00.000Z", firmware: "firmware/kws-gru", model: image.model.summary, seed: 1,
                                   host: "test", command: "test")) { _, _ in }
        cached = report
        return report
    }

    @Test func theAcceleratorGivesTheFloatModelsAccuracy() throws {
        let r = try Self.report()
        let b = try #require(r.boards.first)
        #expect(b.accuracy.clips == 24)
        #expect(b.accuracy.accelerator == r.baseline.floatAccuracy)
        #expect(b.accuracy.agreement == 1)
        #expect(b.accuracy.gapPoints == 0)
        #expect(b.verdict.accuracyWithinOnePoint)
        #expect(!b.porting.retrainingNeeded)
    }

    @Test func thePowerMonitorMeasuresTheEnergyModelsExactEnergy() throws {
        let e = try #require(try Self.report().boards.first).energy
        #expect(e.runs.count == 3)
        for run in e.runs {
            let model = try #require(run.modelJoulesPerInference)
            #expect(abs(run.measuredJoulesPerInference / model - 1) < 1e-9, "measured \(run.measuredJoulesPerInference) J, booked \(model) J")
            #expect(run.windowSeconds >= 0.005)
        }
        #expect(abs(try #require(e.measurementError)) < 1e-9)
        // Idle: the preset's static and board-overhead power, nothing else.
        let c = try Fixture.rram()
        #expect(abs(e.idlePowerWatts - (c.energy.staticWatts + c.energy.boardOverheadWatts)) < 1e-9)
        #expect(!e.perInferenceJoules.isEmpty)
    }

    @Test func timePerInferenceIsTheModelledArrayAndLinkTimeOfEveryTileMVM() throws {
        let t = try #require(try Self.report().boards.first).throughput
        let c = try Fixture.rram()
        var ideal = c.withAllEffectsOff()
        ideal.adc.bits = 16
        let perMVM = try SimulatedAccelerator(configuration: ideal).secondsPerMVM
        let expected = Double(t.tileMVMsPerInference) * (perMVM.array + perMVM.hostLink)
        #expect(abs(t.secondsPerInference / expected - 1) < 1e-9)
        #expect(abs(t.effectiveTOPS - 2 * Double(t.modelMACsPerInference) / t.secondsPerInference / 1e12) < 1e-12)
        let peak = 2 * Double(c.rows * c.columns * c.tiles) / perMVM.array / 1e12
        #expect(abs(try #require(t.peakTOPS) / peak - 1) < 1e-12)
        #expect(abs(t.timeBreakdown.reduce(0) { $0 + $1.fraction } - 1) < 1e-9)
    }

    @Test func nothingMovesWithTemperatureOrTimeAndTheArrayIsExact() throws {
        let r = try Self.report()
        let b = try #require(r.boards.first)
        let temperature = try #require(b.temperature)
        #expect(temperature.points.map(\.celsius) == [25, 60])
        for p in temperature.points {
            #expect(p.withoutRecalibration == r.baseline.floatAccuracy && p.withRecalibration == r.baseline.floatAccuracy)
        }
        let drift = try #require(b.drift)
        for p in drift.points {
            #expect(p.withoutRecalibration == r.baseline.floatAccuracy && p.withPeriodicCalibration == r.baseline.floatAccuracy)
        }
        let map = try #require(b.arrayError)
        #expect(map.error.count == 2 && map.error.allSatisfy { $0.count == 2 })
        #expect(map.overall < 1e-3, "an ideal array multiplies exactly, up to 16-bit output codes: \(map.overall)")
        for row in map.error { for e in row { #expect(e < 1e-3) } }
    }
}
