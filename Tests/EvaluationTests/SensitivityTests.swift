import BoardSupport
import CIMHAL
import CIMSimulator
import Foundation
import KWS
import Testing
@testable import Evaluation

/// Boards where the answer is known: one whose conductances follow the die
/// temperature strongly, one whose conductances drift fast. Without
/// recalibration they must lose accuracy away from their calibration;
/// recalibration must win it back.
@Suite struct SensitivityTests {
    @Test func aBoardWithoutRecalibrationDegradesWithTemperatureAndRecalibrationRecoversIt() throws {
        let (image, set) = try Fixture.imageAndClips()
        // Temperature alone, five times the RRAM preset's coefficient (−1.5%/K, a 52% loss at 60 °C)
        // with a per-cell spread of 0.75%/K.
        let hot = try Fixture.rram {
            $0 = $0.keepingOnly(.temperature)
            $0.temperature.coefficientMeanPerKelvin = -0.015
            $0.temperature.coefficientStdPerKelvin = 0.0075
        }
        let board = try Fixture.opener(hot)()
        let deployed = try DeployedModel.deploy(image, on: board)
        let chamber = try #require(board.capability(ThermalControl.self))
        var settings = Fixture.smallSettings
        settings.temperaturesCelsius = [25, 60]
        let result = try ThermalChamber(deployed: deployed, chamber: chamber).sweep(set, settings: settings) { _ in }
        let at25 = try #require(result.points.first), at60 = try #require(result.points.last)
        print("temperature sensitivity: 25 °C \(at25), 60 °C \(at60)")
        #expect(at60.withoutRecalibration <= at25.withoutRecalibration - 0.1, "35 K at −1.5%/K must cost accuracy without recalibration")
        #expect(at60.withRecalibration >= at60.withoutRecalibration + 0.1, "recalibration at 60 °C must win accuracy back")
    }

    @Test func withoutPeriodicCalibrationAFastDriftingBoardLosesAccuracyOverAMonth() throws {
        let (image, set) = try Fixture.imageAndClips()
        // Drift alone, twice PCM's exponent (ν = 0.1 ± 0.05): gains fall by ~70% in a month.
        let drifting = try Fixture.rram {
            $0 = $0.keepingOnly(.drift)
            $0.drift.exponentMean = 0.1
            $0.drift.exponentStd = 0.05
        }
        var settings = Fixture.smallSettings
        settings.driftAges = [.init(label: "1 minute", seconds: 60), .init(label: "1 month", seconds: 30 * 86_400)]
        let open = Fixture.opener(drifting)
        let result = try DriftSweep(open: { () throws(MeasurementFailure) -> DeployedModel in
            try DeployedModel.deploy(image, on: try open())
        }, referenceCelsius: 25).run(set, settings: settings) { _ in }
        let minute = try #require(result.points.first), month = try #require(result.points.last)
        print("drift: \(minute), \(month)")
        #expect(month.withoutRecalibration <= minute.withoutRecalibration - 0.1, "a month of drift must cost accuracy when calibrated once")
        #expect(month.withPeriodicCalibration >= month.withoutRecalibration + 0.1, "calibrating every 300 s must hold accuracy")
    }
}
