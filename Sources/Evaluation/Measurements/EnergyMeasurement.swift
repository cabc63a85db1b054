import BoardSupport
import CIMHAL
import CIMDrivers
import CIMHAL
import KWS

/// Energy per inference the MLPerf Tiny way: raise the inference marker,
/// run inferences back to back for at least the run length on the board's
/// clock while the power monitor samples the rail, drop the marker,
/// integrate power between the edges; several runs, median. On a simulated
/// board the energy model's ledger over the same window is the truth the
/// measurement is checked against.
struct EnergyMeasurement {
    let deployed: DeployedModel
    let settings: EvaluationSettings
    /// At most this many per-inference values go into the report.
    static let distributionLimit = 4000

    func run(features: [[Float]], progress: (String) -> Void) throws(MeasurementFailure) -> EnergyResult {
        let board = deployed.board
        guard !board.powerMonitors.isEmpty else { throw .noPowerSource }
        let clock = board.clock
        let idle = try idlePowerWatts()
        var runs: [EnergyResult.Run] = []
        var distribution: [Double] = []
        var breakdown: EnergyBreakdown?
        var breakdownInferences = 0
        for n in 0..<settings.energyRuns {
            progress("energy run \(n + 1) of \(settings.energyRuns) (at least \(settings.minimumRunSeconds) s of inference)")
            var samples = [try sample()]
            try setMarker(.high)
            let start = clock.now()
            let modelStart = board.capability(EnergyAccount.self)?.energyTotals
            var inferences = 0
            var probabilities = [Float](repeating: 0, count: deployed.runtime.compiled.model.outputs)
            repeat {
                let clip = features[inferences % features.count]
                do {
                    try clip.withUnsafeBufferPointer { (f) throws(HALError) in
                        try probabilities.withUnsafeMutableBufferPointer { (p) throws(HALError) in try deployed.runtime.classify(f, into: p) }
                    }
                } catch {
                    throw .hardware(step: "inference \(inferences + 1) of energy run \(n + 1)", error)
                }
                inferences += 1
                let s = try sample()
                if let previous = samples.last, s.timestampSeconds > previous.timestampSeconds {
                    if distribution.count < Self.distributionLimit {
                        distribution.append(s.powerWatts * (s.timestampSeconds - previous.timestampSeconds))
                    }
                    samples.append(s)
                }
            } while clock.now() - start < settings.minimumRunSeconds
            let end = clock.now()
            try setMarker(.low)
            let modelEnd = board.capability(EnergyAccount.self)?.energyTotals
            if !clock.isVirtual || samples.last.map({ $0.timestampSeconds < end }) ?? true {
                // The last sample must close the window.
                clock.wait(0.001)
                let s = try sample()
                if let previous = samples.last, s.timestampSeconds > previous.timestampSeconds { samples.append(s) }
            }
            let measured: InferenceEnergy
            do {
                let chip = board.powerMonitors[0] as? any BlockAveragingPowerMonitor
                measured = try InferenceEnergy.integrate(samples, from: start, to: end, inferences: inferences,
                                                         conversionWindowSeconds: chip?.conversionWindowSeconds,
                                                         powerResolutionWatts: chip?.powerResolutionWatts ?? 0)
            } catch {
                throw .hardware(step: "integrating energy run \(n + 1)", error)
            }
            var model: Double?
            if let a = modelStart, let b = modelEnd {
                model = (b.boardJoules - a.boardJoules) / Double(inferences)
                if let start = a.breakdown, let end = b.breakdown {
                    breakdown = (breakdown ?? EnergyBreakdown()) + (end - start)
                    breakdownInferences += inferences
                }
            }
            runs.append(.init(inferences: inferences, windowSeconds: end - start,
                              measuredJoulesPerInference: measured.joulesPerInference,
                              errorBoundJoulesPerInference: measured.errorBoundJoulesPerInference,
                              modelJoulesPerInference: model))
        }
        let median = Statistics.median(runs.map(\.measuredJoulesPerInference))
        let models = runs.compactMap(\.modelJoulesPerInference)
        let modelMedian = models.count == runs.count ? Statistics.median(models) : nil
        let perInference = breakdown.map { $0.scaled(by: 1 / Double(max(1, breakdownInferences))) }
        // The core from the same runs as its components, where the model keeps them.
        var core = perInference?.coreJoules
        if core == nil { core = try coreJoulesPerInference(features: features) }
        let note = settings.energyRuns >= 5 && settings.minimumRunSeconds >= 10
            ? "MLPerf Tiny: \(settings.energyRuns) runs of at least \(format(settings.minimumRunSeconds)) s each between marker edges, median"
            : "reduced (--quick): \(settings.energyRuns) run(s) of at least \(format(settings.minimumRunSeconds)) s; not the MLPerf Tiny protocol"
        return EnergyResult(
            source: "power monitor on rail '\(board.powerMonitors[0].railName)'",
            runs: runs, medianJoulesPerInference: median, modelJoulesPerInference: modelMedian,
            measurementError: modelMedian.map { median / $0 - 1 }, coreJoulesPerInference: core,
            breakdownPerInference: perInference, idlePowerWatts: idle,
            perInferenceJoules: distribution, protocolNote: note)
    }

    /// The chip's dynamic share (the energy model's tile multiplies and the
    /// digital side that serves them) of a pass over the clips, for a model
    /// that keeps no breakdown; nil on a board without a model.
    private func coreJoulesPerInference(features: [[Float]]) throws(MeasurementFailure) -> Double? {
        guard let energyModel = deployed.board.capability(EnergyAccount.self) else { return nil }
        let before = energyModel.energyTotals.coreJoules
        var probabilities = [Float](repeating: 0, count: deployed.runtime.compiled.model.outputs)
        let count = min(features.count, 16)
        for clip in features.prefix(count) {
            do {
                try clip.withUnsafeBufferPointer { (f) throws(HALError) in
                    try probabilities.withUnsafeMutableBufferPointer { (p) throws(HALError) in try deployed.runtime.classify(f, into: p) }
                }
            } catch {
                throw .hardware(step: "inference", error)
            }
        }
        return (energyModel.energyTotals.coreJoules - before) / Double(max(1, count))
    }

    /// The board idling for a second of its clock: bias, references, regulators, MCU.
    private func idlePowerWatts() throws(MeasurementFailure) -> Double {
        let first = try sample()
        deployed.board.clock.wait(1)
        let second = try sample()
        return second.timestampSeconds > first.timestampSeconds ? second.powerWatts : first.powerWatts
    }

    private func sample() throws(MeasurementFailure) -> PowerSample {
        do { return try deployed.board.powerMonitors[0].sample() } catch {
            throw .hardware(step: "reading the power monitor on rail \(deployed.board.powerMonitors[0].railName)", error)
        }
    }

    private func setMarker(_ level: GPIOLevel) throws(MeasurementFailure) {
        guard deployed.board.marker != nil else { return }
        do { try deployed.board.marker?.set(level) } catch {
            throw .hardware(step: "setting the inference marker", error)
        }
    }

    private func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
