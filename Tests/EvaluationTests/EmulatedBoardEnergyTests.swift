import BoardSupport
import CIMHAL
import Foundation
import Testing
@testable import Evaluation

/// On the virtual eval board energy comes through the INA226 driver over the
/// emulated bus, with the inference marker on a virtual GPIO line: the MLPerf
/// Tiny path a real board takes. It must agree with what the simulated macro
/// booked, within the sampling bound and the INA226's own arithmetic.
@Suite struct EmulatedBoardEnergyTests {
    @Test func theINA226MeasuresTheBookedEnergyWithinItsBound() throws {
        let (image, set) = try Fixture.imageAndClips()
        let board = try Board.open(try BoardFile.load(path: Fixture.boardFile("virtual-eval.toml")))
        #expect(board.marker != nil, "the marker line frames each run")
        let deployed = try DeployedModel.deploy(image, on: board)
        var settings = Fixture.smallSettings
        settings.energyRuns = 2
        settings.minimumRunSeconds = 0.01
        let energy = try EnergyMeasurement(deployed: deployed, settings: settings)
            .run(features: set.clips.map(\.features)) { _ in }
        #expect(energy.source.contains("board"))
        for run in energy.runs {
            let model = try #require(run.modelJoulesPerInference)
            #expect(run.errorBoundJoulesPerInference > 0, "the INA226's LSB and conversion window give a bound")
            // The INA226 model truncates as the chip does: it reads this rail about 0.5–1% low.
            #expect(abs(run.measuredJoulesPerInference - model) <= run.errorBoundJoulesPerInference + 0.015 * model,
                    "measured \(run.measuredJoulesPerInference) J, booked \(model) J, bound \(run.errorBoundJoulesPerInference) J")
        }
        #expect(energy.idlePowerWatts > 0.2 && energy.idlePowerWatts < 0.3, "the virtual board idles at 0.27 W: \(energy.idlePowerWatts)")
    }
}
