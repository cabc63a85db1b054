import BoardSupport
import KWS

/// Accuracy over simulated time after programming, on two fresh copies of
/// the board (same file, same seed): one calibrated only at programming,
/// one calibrated every period and measured just before its next
/// calibration is due (the worst point of the firmware's cycle).
struct DriftSweep {
    let open: () throws(MeasurementFailure) -> DeployedModel
    let referenceCelsius: Double

    func run(_ set: TestSet, settings: EvaluationSettings, progress: (String) -> Void) throws(MeasurementFailure) -> DriftResult {
        progress("drift: programming two fresh copies of the board")
        let once = try open()
        let periodic = try open()
        let startOnce = once.board.clock.now(), startPeriodic = periodic.board.clock.now()
        var points: [DriftResult.Point] = []
        let period = settings.calibrationPeriodSeconds
        for age in settings.driftAges.sorted(by: { $0.seconds < $1.seconds }) {
            progress("drift: \(age.label) after programming")
            wait(once, until: startOnce + age.seconds)
            let without = try once.accuracy(set, batch: settings.batch)
            wait(periodic, until: startPeriodic + max(0, age.seconds - period))
            try periodic.recalibrate()
            wait(periodic, until: startPeriodic + age.seconds)
            let with = try periodic.accuracy(set, batch: settings.batch)
            points.append(.init(label: age.label, secondsAfterProgramming: age.seconds, withoutRecalibration: without,
                                withPeriodicCalibration: with))
        }
        return DriftResult(calibrationPeriodSeconds: period, points: points)
    }

    private func wait(_ deployed: DeployedModel, until t: Double) {
        let clock = deployed.board.clock
        let now = clock.now()
        if t > now { clock.wait(t - now) }
    }
}
