import BoardSupport
import CIMSimulator
import KWS

/// The article's thermal-chamber test, on a board whose die temperature can
/// be set (a simulated board, or the simulated macro behind an emulated eval
/// board): calibrate at the reference temperature, then at each chamber
/// temperature classify the clips as calibrated, recalibrate, and classify again.
struct ThermalChamber {
    let deployed: DeployedModel
    let simulation: SimulatedAccelerator
    let boardFile: String
    /// Board time the die is given to settle at a new temperature.
    static let settleSeconds = 60.0

    func sweep(_ set: TestSet, settings: EvaluationSettings, progress: (String) -> Void) throws(EvaluationError) -> TemperatureResult {
        hold(at: settings.referenceCelsius)
        try deployed.recalibrate(boardFile: boardFile)
        var points: [TemperatureResult.Point] = []
        for celsius in settings.temperaturesCelsius {
            progress("thermal chamber at \(Int(celsius)) °C")
            hold(at: celsius)
            let asCalibrated = try deployed.accuracy(set, boardFile: boardFile)
            try deployed.recalibrate(boardFile: boardFile)
            let recalibrated = try deployed.accuracy(set, boardFile: boardFile)
            points.append(.init(celsius: celsius, withoutRecalibration: asCalibrated, withRecalibration: recalibrated))
            // Back to the reference calibration before the next point.
            hold(at: settings.referenceCelsius)
            try deployed.recalibrate(boardFile: boardFile)
        }
        return TemperatureResult(calibratedAtCelsius: settings.referenceCelsius, points: points)
    }

    private func hold(at celsius: Double) {
        simulation.thermal = .fixed(celsius: celsius)
        deployed.board.clock.wait(Self.settleSeconds)
    }
}
