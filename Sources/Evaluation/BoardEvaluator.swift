import BoardSupport
import CIMHAL
import KWS

/// Runs the article's procedure on one board: port the model, measure
/// accuracy and effective throughput, energy per inference, quantisation,
/// the thermal chamber, drift, MVM error by array position, and the verdict.
public struct BoardEvaluator {
    public let boardFile: String
    /// Opens a fresh copy of the board (same file, same seed): the drift
    /// sweep needs two more that start from programming.
    public let open: () throws(MeasurementFailure) -> Board
    public let image: KWSImage
    public let settings: EvaluationSettings
    public let seed: UInt64

    public init(boardFile: String, seed: UInt64, image: KWSImage, settings: EvaluationSettings,
                open: @escaping () throws(MeasurementFailure) -> Board) {
        self.boardFile = boardFile
        self.seed = seed
        self.image = image
        self.settings = settings
        self.open = open
    }

    /// A failure names this board's file.
    public func evaluate(_ set: TestSet, baseline: DigitalBaselineResult, floatPredictions: [Int],
                         progress: (String) -> Void) throws(EvaluationError) -> BoardEvaluation {
        try evaluate(set, baseline: PendingBaseline((baseline, floatPredictions)), progress: progress)
    }

    /// With the baseline still being measured: waits for it only where the figures compare with it.
    func evaluate(_ set: TestSet, baseline: PendingBaseline, progress: (String) -> Void) throws(EvaluationError) -> BoardEvaluation {
        let measured: Measured
        do throws(MeasurementFailure) { measured = try measure(set, progress: progress) } catch {
            throw .measurement(boardFile: boardFile, error)
        }
        let (result, floatPredictions) = try baseline.value()
        return judge(measured, set, baseline: result, floatPredictions: floatPredictions)
    }

    /// What a board measures before it is compared with the baseline.
    private struct Measured {
        var boardName: String, backend: String, geometry: CIMGeometry
        var predictions: [Int]
        var acceleratorAccuracy: Double
        var throughput: ThroughputResult
        var energy: EnergyResult
        var quantised: [(bits: Int, accuracy: Double)]
        var porting: PortingResult
        var temperature: TemperatureResult?
        var drift: DriftResult?
        var arrayError: ArrayErrorMap?
        var notMeasured: [String]
    }

    private func judge(_ m: Measured, _ set: TestSet, baseline: DigitalBaselineResult, floatPredictions: [Int]) -> BoardEvaluation {
        let agreement = Double(zip(m.predictions, floatPredictions).filter { $0 == $1 }.count) / Double(max(1, set.clips.count))
        let accuracy = AccuracyResult(clips: set.clips.count, float: baseline.floatAccuracy, accelerator: m.acceleratorAccuracy,
                                      gapPoints: 100 * (baseline.floatAccuracy - m.acceleratorAccuracy), agreement: agreement)
        var porting = m.porting
        porting.quantisation = m.quantised.map {
            .init(weightBits: $0.bits, accuracy: $0.accuracy, gapPoints: 100 * (baseline.floatAccuracy - $0.accuracy))
        }
        porting.retrainingNeeded = accuracy.gapPoints > 1
        porting.retrainingAdvice = porting.retrainingNeeded
            ? "the board is \(String(format: "%.1f", accuracy.gapPoints)) points under float: retrain hardware-aware at its precision (python3 tools/kws/train.py --hardware-aware, see firmware/kws-gru/README.md)"
            : "not needed: the post-training port is within 1 point of float"
        let verdict = Self.verdict(accuracy: accuracy, energy: m.energy, baseline: baseline)
        let g = m.geometry
        return BoardEvaluation(
            boardFile: boardFile, boardName: m.boardName, backend: m.backend,
            seed: seed,
            geometry: .init(tiles: g.tiles, rows: g.rows, columns: g.columns, weightBits: g.weightBits, dacBits: g.dacBits, adcBits: g.adcBits),
            accuracy: accuracy, throughput: m.throughput, energy: m.energy, porting: porting, temperature: m.temperature,
            drift: m.drift, arrayError: m.arrayError, verdict: verdict, notMeasured: m.notMeasured)
    }

    private func measure(_ set: TestSet, progress: (String) -> Void) throws(MeasurementFailure) -> Measured {
        let frames = image.imported.frames
        progress("porting: compile, stuck-cell scan, write-verify, calibration")
        let board = try open()
        let deployed = try DeployedModel.deploy(image, on: board)
        let compiled = deployed.runtime.compiled
        let g = board.accelerator.geometry

        progress("accuracy on \(set.clips.count) clips, \(settings.batch) at a time")
        let before = board.clock.now()
        let predictions = try deployed.predictions(set, batch: settings.batch)
        let boardSecondsPerInference = (board.clock.now() - before) / Double(max(1, set.clips.count))
        let acceleratorAccuracy = DeployedModel.accuracy(predictions, set)
        var schedule = deployed.runtime.onChipSchedule(frames: frames)
        if deployed.runtime.runsOnRemoteSequencer, let macro = board.capability(SimulatedMacro.self)?.accelerator,
           let sequencer = macro.onChipSequencer {
            // An eval board running the program on its sequencer: the macro's schedule, the board's bus on top.
            schedule = OnChipSchedule.plan(compiled, frames: frames, sequencer: sequencer, mvmSeconds: macro.tileMultiplySeconds,
                                           hostLinkBytesPerSecond: macro.hostLinkBytesPerSecond)
        }
        let throughput = ThroughputMeasurement.result(compiled: compiled, frames: frames, board: board,
                                                      boardSecondsPerInference: boardSecondsPerInference, schedule: schedule,
                                                      overBus: deployed.runtime.runsOnRemoteSequencer)

        let energy = try EnergyMeasurement(deployed: deployed, settings: settings)
            .run(features: set.clips.map(\.features), progress: progress)

        progress("porting: accuracy of the float model quantised to 4 and 8 bits and the board's \(g.weightBits)")
        let bits = Array(Set([4, 8, g.weightBits])).sorted()
        let quantised = try WeightQuantisation.accuracies(image, set, bits: bits)
        // The comparisons with float are filled in by `judge`.
        let porting = PortingResult(
            quantisation: [], boardWeightBits: g.weightBits, retrainingNeeded: false, retrainingAdvice: "",
            compileSeconds: deployed.compileSeconds, faultScanAndProgramSeconds: deployed.faultScanAndProgramSeconds,
            calibrateSeconds: deployed.calibrateSeconds,
            totalPortSeconds: deployed.compileSeconds + deployed.faultScanAndProgramSeconds + deployed.calibrateSeconds,
            stuckPairsFound: deployed.deployment.faultMaps.reduce(0) { $0 + $1.stuckOnPairs + $1.stuckOffPairs },
            weightsMovedToDigital: compiled.digitalWeights)

        var notMeasured: [String] = []
        var temperature: TemperatureResult?
        var drift: DriftResult?
        if let chamber = board.capability(ThermalControl.self) {
            if !settings.temperaturesCelsius.isEmpty {
                temperature = try ThermalChamber(deployed: deployed, chamber: chamber)
                    .sweep(set, settings: settings, progress: progress)
            }
            drift = settings.driftAges.isEmpty ? nil : try DriftSweep(open: { () throws(MeasurementFailure) -> DeployedModel in
                let copy = try open()
                copy.capability(ThermalControl.self)?.holdDie(atCelsius: settings.referenceCelsius)
                return try DeployedModel.deploy(image, on: copy)
            }, referenceCelsius: settings.referenceCelsius).run(set, settings: settings, progress: progress)
        } else {
            notMeasured.append("temperature: a real board needs a thermal chamber; run `cimfw accuracy` at each chamber setting")
            notMeasured.append("drift: simulated time needs a simulated macro; on a real board, rerun `cimfw accuracy` after an hour, a day, a month")
        }

        var arrayError: ArrayErrorMap?
        if settings.arrayErrorBlocks > 0 {
            progress("MVM error by array position on tile 0")
            arrayError = try ArrayErrorMeasurement(board: board)
                .run(tile: 0, blocks: settings.arrayErrorBlocks, vectors: settings.arrayErrorVectors, seed: seed)
        }

        return Measured(boardName: board.name, backend: board.devices.backendName, geometry: g, predictions: predictions,
                        acceleratorAccuracy: acceleratorAccuracy, throughput: throughput, energy: energy, quantised: quantised,
                        porting: porting, temperature: temperature, drift: drift, arrayError: arrayError, notMeasured: notMeasured)
    }

    /// The article's rule: at least 5x less energy per inference than the
    /// digital baseline, both ways it is estimated, within 1 point of its accuracy.
    static func verdict(accuracy: AccuracyResult, energy: EnergyResult, baseline: DigitalBaselineResult) -> Verdict {
        let board = energy.medianJoulesPerInference
        let overModel = board > 0 ? baseline.cpuModelJoulesPerInference / board : 0
        let overMeasured = board > 0 ? baseline.measuredCPUJoulesPerInference / board : 0
        let core = energy.coreJoulesPerInference.map { $0 > 0 ? baseline.cpuModelJoulesPerInference / $0 : 0 }
        let within = accuracy.gapPoints <= 1
        var reasons: [String] = []
        reasons.append(within
            ? String(format: "accuracy %.1f%% is within 1 point of the float baseline's %.1f%%", 100 * accuracy.accelerator, 100 * accuracy.float)
            : String(format: "accuracy %.1f%% is %.1f points under the float baseline's %.1f%% (more than 1)", 100 * accuracy.accelerator, accuracy.gapPoints, 100 * accuracy.float))
        reasons.append(String(format: "%.2fx less energy per inference than the CPU model", overModel) + (overModel >= 5 ? " (5x needed: met)" : " (5x needed: not met)"))
        reasons.append(String(format: "%.2fx less energy per inference than the float runtime's measured CPU time", overMeasured) + (overMeasured >= 5 ? " (5x needed: met)" : " (5x needed: not met)"))
        if let core, overModel < 5 {
            reasons.append(String(format: "the chip's core alone (arrays, converters, buffers, control) would be %.0fx better than the CPU model: idle and board overhead (%.3f W) spent during each inference decide the result", core, energy.idlePowerWatts))
        }
        return Verdict(worthScaling: within && overModel >= 5 && overMeasured >= 5, accuracyGapPoints: accuracy.gapPoints,
                       accuracyWithinOnePoint: within, energyAdvantageOverCPUModel: overModel,
                       energyAdvantageOverMeasuredCPU: overMeasured, coreEnergyAdvantageOverCPUModel: core, reasons: reasons)
    }
}
