import CIMHAL
/// Everything `cimfw evaluate` measured, as report.json holds it. Every
/// number is computed by the run that wrote the file; `provenance` says
/// which board files, seed and version produced it.
public struct EvaluationReport: Sendable, Codable, Hashable {
    public var provenance: Provenance
    public var settings: EvaluationSettings
    public var baseline: DigitalBaselineResult
    public var boards: [BoardEvaluation]

    public init(provenance: Provenance, settings: EvaluationSettings, baseline: DigitalBaselineResult, boards: [BoardEvaluation]) {
        self.provenance = provenance
        self.settings = settings
        self.baseline = baseline
        self.boards = boards
    }
}

public struct Provenance: Sendable, Codable, Hashable {
    public var tool: String
    public var version: String
    /// UTC, ISO 8601: when the run started.
    public var generatedAt: String
    public var firmware: String
    /// The firmware's model, layer by layer (`NeuralNetwork.summary`).
    public var model: String
    /// The --seed given for every board; nil when each board used its file's seed.
    public var seed: UInt64?
    public var host: String
    public var command: String

    public init(tool: String = "cimfw evaluate", version: String, generatedAt: String, firmware: String, model: String, seed: UInt64?,
                host: String, command: String) {
        self.tool = tool
        self.version = version
        self.generatedAt = generatedAt
        self.firmware = firmware
        self.model = model
        self.seed = seed
        self.host = host
        self.command = command
    }
}

/// What one board scored, metric by metric (the article's procedure, in its order).
public struct BoardEvaluation: Sendable, Codable, Hashable {
    public var boardFile: String
    public var boardName: String
    public var backend: String
    public var seed: UInt64
    public var geometry: Geometry
    public var accuracy: AccuracyResult
    public var throughput: ThroughputResult
    public var energy: EnergyResult
    public var porting: PortingResult
    public var temperature: TemperatureResult?
    public var drift: DriftResult?
    public var arrayError: ArrayErrorMap?
    public var verdict: Verdict
    /// Metrics this board could not give, and why (a real board has no thermal chamber).
    public var notMeasured: [String]

    public struct Geometry: Sendable, Codable, Hashable {
        public var tiles: Int
        public var rows: Int
        public var columns: Int
        public var weightBits: Int
        public var dacBits: Int
        public var adcBits: Int
    }
}

/// Accuracy of the accelerator and of the float model on the same clips.
public struct AccuracyResult: Sendable, Codable, Hashable {
    public var clips: Int
    public var float: Double
    public var accelerator: Double
    /// Float minus accelerator, percentage points.
    public var gapPoints: Double
    /// Share of clips given the float model's class.
    public var agreement: Double
}

/// Effective throughput against the board's peak, and where the time goes.
public struct ThroughputResult: Sendable, Codable, Hashable {
    /// The whole chip's rate with every tile busy on full arrays; nil when
    /// the board states none.
    public var peakTOPS: Double?
    public var peakSource: String
    /// Model operations (2 per MAC) over the time of one inference, end to end on the board.
    public var effectiveTOPS: Double
    /// peak / effective.
    public var gap: Double?
    public var modelMACsPerInference: Int
    public var tileMVMsPerInference: Int
    public var tilesUsed: Int
    public var cellUtilisation: Double
    public var secondsPerInference: Double
    public var timeBreakdown: [TimeShare]
    /// "host_driven" (every tile MVM over the host link) or "on_chip" (the
    /// chip's sequencer runs the compiled program), as the board file's `[execution]` says.
    public var execution: String

    public struct TimeShare: Sendable, Codable, Hashable {
        public var part: String
        public var secondsPerInference: Double
        public var fraction: Double
    }
}

/// Energy per inference by the MLPerf Tiny protocol, and the energy model's truth.
public struct EnergyResult: Sendable, Codable, Hashable {
    public var source: String
    public var runs: [Run]
    /// Median over runs of measured joules per inference.
    public var medianJoulesPerInference: Double
    /// Median over runs of the energy model's joules per inference, when the board is simulated.
    public var modelJoulesPerInference: Double?
    /// measured / model − 1.
    public var measurementError: Double?
    /// The chip's dynamic energy (arrays, converters, buffers, control,
    /// periphery: the energy model's core), when simulated.
    public var coreJoulesPerInference: Double?
    /// The energy model's joules per inference by component, the mean over
    /// the energy runs: they add up to the mean of the runs' model energy
    /// (with one run, its truth), when simulated.
    public var breakdownPerInference: EnergyBreakdown?
    public var idlePowerWatts: Double
    /// Joules per inference, one value per monitor sample interval (an inference each), for the distribution plot.
    public var perInferenceJoules: [Double]
    public var protocolNote: String

    public struct Run: Sendable, Codable, Hashable {
        public var inferences: Int
        public var windowSeconds: Double
        public var measuredJoulesPerInference: Double
        public var errorBoundJoulesPerInference: Double
        public var modelJoulesPerInference: Double?
    }
}

/// Porting the float model to the board: quantisation, deployment, wall time.
public struct PortingResult: Sendable, Codable, Hashable {
    public var quantisation: [QuantisedAccuracy]
    public var boardWeightBits: Int
    /// True when the board's accuracy is more than 1 point under float.
    public var retrainingNeeded: Bool
    public var retrainingAdvice: String
    public var compileSeconds: Double
    public var faultScanAndProgramSeconds: Double
    public var calibrateSeconds: Double
    public var totalPortSeconds: Double
    public var stuckPairsFound: Int
    public var weightsMovedToDigital: Int

    public struct QuantisedAccuracy: Sendable, Codable, Hashable {
        public var weightBits: Int
        public var accuracy: Double
        public var gapPoints: Double
    }
}

/// Accuracy in an (emulated) thermal chamber, calibrated at the reference temperature.
public struct TemperatureResult: Sendable, Codable, Hashable {
    public var calibratedAtCelsius: Double
    public var points: [Point]

    public struct Point: Sendable, Codable, Hashable {
        public var celsius: Double
        public var withoutRecalibration: Double
        public var withRecalibration: Double
    }
}

/// Accuracy over simulated time after programming, with and without periodic calibration.
public struct DriftResult: Sendable, Codable, Hashable {
    public var calibrationPeriodSeconds: Double
    public var points: [Point]

    public struct Point: Sendable, Codable, Hashable {
        public var label: String
        public var secondsAfterProgramming: Double
        /// Calibrated once, at programming.
        public var withoutRecalibration: Double
        /// Calibrated every period, measured just before the next calibration.
        public var withPeriodicCalibration: Double
    }
}

/// Relative MVM error by position in one tile: random weights, inputs on
/// one block of rows at a time, error over each block of columns.
public struct ArrayErrorMap: Sendable, Codable, Hashable {
    public var tile: Int
    public var rowBlocks: Int
    public var columnBlocks: Int
    public var rowsPerBlock: Int
    public var columnsPerBlock: Int
    public var vectorsPerBlock: Int
    /// [rowBlock][columnBlock], relative RMS error.
    public var error: [[Double]]
    public var overall: Double
}

/// The digital baseline the boards are judged against.
public struct DigitalBaselineResult: Sendable, Codable, Hashable {
    public var floatAccuracy: Double
    public var clips: Int
    /// The 45 nm CPU model: MACs at 4.5 pJ, weights from DRAM once per inference at 640 pJ/byte.
    public var cpuModelJoulesPerInference: Double
    public var cpuModelSource: String
    /// Median thread CPU time per inference on this machine of the optimised
    /// Float32 CPU runtime (`CPURuntime`), the deployment a buyer compares against.
    public var measuredCPUSecondsPerInference: Double
    /// The same for the reference runtime (Double sums, scalar), for scale.
    public var referenceRuntimeCPUSecondsPerInference: Double
    public var cpuActiveWatts: Double
    public var cpuWattsSource: String
    public var measuredCPUJoulesPerInference: Double
    public var host: String
}

/// The article's rule: at least 5x less energy per inference than the digital
/// baseline while within 1 point of its accuracy.
public struct Verdict: Sendable, Codable, Hashable {
    public var worthScaling: Bool
    public var accuracyGapPoints: Double
    public var accuracyWithinOnePoint: Bool
    public var energyAdvantageOverCPUModel: Double
    public var energyAdvantageOverMeasuredCPU: Double
    /// What the arrays alone would give against the CPU model.
    public var coreEnergyAdvantageOverCPUModel: Double?
    public var reasons: [String]
}
