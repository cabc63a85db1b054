import BoardSupport
import CIMHAL
import KWS

/// The article's thermal-chamber test, on a board whose die temperature can
/// be set (a simulated board, or the simulated macro behind an emulated eval
/// board): calibrate at the reference temperature, then at each chamber
/// temperature classify the clips as calibrated, recalibrate, and classify again.
struct ThermalChamber {
    let deployed: DeployedModel
    let chamber: any ThermalControl
    /// Board time the die is given to settle at a new temperature.
    static let settleSeconds = 60.0

    func sweep(_ set: TestSet, settings: EvaluationSettings, progress: (String) -> Void) throws(MeasurementFailure) -> TemperatureResult {
        hold(at: settings.referenceCelsius)
        try deployed.recalibrate()
        var points: [TemperatureResult.Point] = []
        for celsius in settings.temperaturesCelsius {
            progress("thermal chamber at \(Int(celsius)) °C")
            hold(at: celsius)
            let asCalibrated = try deployed.accuracy(set, batch: settings.batch)
            try deployed.recalibrate()
            let recalibrated = try deployed.accuracy(set, batch: settings.batch)
            points.append(.init(celsius: celsius, withoutRecalibration: asCalibrated, withRecalibration: recalibrated))
            // Back to the reference calibration before the next point.
            hold(at: settings.referenceCelsius)
            try deployed.recalibrate()
        }
        return TemperatureResult(calibratedAtCelsius: settings.referenceCelsius, points: points)
    }

    private func hold(at celsius: Double) {
        chamber.holdDie(atCelsius: celsius)
        deployed.board.clock.wait(Self.settleSeconds)
    }
}
