import CIMHAL

/// What `cimfw characterize` measures on a simulated board: MVM error against
/// the exact product (total, and each effect on its own, before and after
/// calibration), programming statistics, energy per MVM, throughput and
/// efficiency, and the digital baseline.
public struct CharacterizationReport: Sendable, Codable {
    public struct ErrorPair: Sendable, Codable, Hashable {
        /// ‖y_measured − y_exact‖ / ‖y_exact‖ over every test vector.
        public var beforeCalibration: Double
        public var afterCalibration: Double
    }

    public struct EffectError: Sendable, Codable, Hashable {
        public var effect: Effect
        public var error: ErrorPair
    }

    public struct Energy: Sendable, Codable, Hashable {
        /// Dynamic energy of one full-tile MVM, by component.
        public var mvm: MVMEnergy
        public var mvmDynamicJoules: Double
        /// Static and board-overhead energy per MVM at the measured rate.
        public var staticJoulesPerMVM: Double
        public var boardOverheadJoulesPerMVM: Double
        public var systemJoulesPerMVM: Double
        public var mvmSeconds: Double
        public var hostLinkSeconds: Double
        public var averagePowerWatts: Double
    }

    public struct Throughput: Sendable, Codable, Hashable {
        public var peakTOPSPerTile: Double
        public var peakTOPSChip: Double
        /// Operations per second achieved streaming the test vectors through
        /// one tile, host transfers included.
        public var effectiveTOPS: Double
        public var coreTOPSPerWatt: Double
        /// The chip with every tile busy: each multiply's dynamic energy plus
        /// its tile's share of the static power over the multiply's time.
        /// The figure a chip's published TOPS/W is held against.
        public var chipTOPSPerWatt: Double
        /// The chip's published TOPS/W, when the board file states one
        /// (`energy.published_tops_per_watt`), and how far the chip figure is from it.
        public var publishedTOPSPerWatt: Double?
        public var derivedOverPublished: Double?
        public var systemTOPSPerWatt: Double
    }

    /// The digital machine doing the same MVM, two ways: weights streamed
    /// from DRAM for every MVM (the von Neumann case the article describes),
    /// and weights already on chip (arithmetic only, the best digital case).
    public struct Baseline: Sendable, Codable, Hashable {
        public var streamedJoulesPerMVM: Double
        public var computeJoulesPerMVM: Double
        public var dataMovementJoulesPerMVM: Double
        /// Digital energy over CIM energy for the same MVM (> 1: CIM uses less).
        public var coreAdvantageOverStreamed: Double
        public var coreAdvantageOverCompute: Double
        public var systemAdvantageOverStreamed: Double
        public var systemAdvantageOverCompute: Double
    }

    public var board: String
    public var technology: Technology
    public var seed: UInt64
    public var rows: Int
    public var columns: Int
    public var testVectors: Int
    public var ageSeconds: Double
    public var dieCelsius: Double
    public var total: ErrorPair
    public var perEffect: [EffectError]
    public var effectsOff: [Effect]
    public var programming: ProgrammingReport
    public var calibration: ColumnCalibration
    public var energy: Energy
    public var throughput: Throughput
    public var digitalBaseline: Baseline
}

public struct Characterization: Sendable {
    public var configuration: SimulatorConfiguration
    public var testVectors: Int
    /// Time between programming and measurement, so drift shows.
    public var ageSeconds: Double
    public var baseline: DigitalBaseline

    public init(configuration: SimulatorConfiguration, testVectors: Int = 64, ageSeconds: Double = 3600,
                baseline: DigitalBaseline = DigitalBaseline()) {
        self.configuration = configuration
        self.testVectors = testVectors
        self.ageSeconds = ageSeconds
        self.baseline = baseline
    }

    /// One measurement: program random weights, let `ageSeconds` pass, drive
    /// random inputs before and after a full calibration.
    public struct Run: Sendable {
        public var error: CharacterizationReport.ErrorPair
        public var programming: ProgrammingReport
        public var calibration: ColumnCalibration
        public var ledgerBefore: EnergyLedger
        public var ledgerAfter: EnergyLedger
        public var dieCelsius: Double
        public var secondsPerMVM: (array: Double, hostLink: Double)
    }

    public func run(_ c: SimulatorConfiguration) throws(HALError) -> Run {
        let accelerator = try SimulatedAccelerator(configuration: c)
        // The workload depends on the seed only, never on which effects are on.
        var rng = SeededGenerator(seed: c.seed, stream: .workload)
        let weightValues = (0..<(c.rows * c.columns)).map { _ in Float(0.5 * rng.nextSignedUnit()) }
        let weights = try WeightMatrix(rows: c.rows, columns: c.columns, values: weightValues)
        let inputs = (0..<testVectors).map { _ in (0..<c.rows).map { _ in Float(rng.nextSignedUnit()) } }
        let exact = inputs.map { x in
            (0..<c.columns).map { j in
                var s = 0.0
                for i in 0..<c.rows { s += Double(x[i]) * Double(weights[i, j]) }
                return s
            }
        }
        let programming = try accelerator.program(tile: 0, weights: weights, policy: c.defaultPolicy)
        accelerator.advance(seconds: ageSeconds)
        let dieCelsius = try accelerator.dieTemperatureCelsius()

        func relativeError() throws(HALError) -> Double {
            var output = [Float](repeating: 0, count: c.columns)
            var num = 0.0, den = 0.0
            for (x, y) in zip(inputs, exact) {
                try accelerator.multiplyValues(tile: 0, input: x, into: &output)
                for j in 0..<c.columns {
                    let d = Double(output[j]) - y[j]
                    num += d * d
                    den += y[j] * y[j]
                }
            }
            return (num / den).squareRoot()
        }
        let ledgerBefore = accelerator.ledger
        let before = try relativeError()
        let ledgerAfter = accelerator.ledger
        let calibration = try accelerator.calibrate(tile: 0, method: .referenceInputs(count: c.calibration.referenceVectors))
        let after = try relativeError()
        return Run(error: .init(beforeCalibration: before, afterCalibration: after), programming: programming,
                   calibration: calibration, ledgerBefore: ledgerBefore, ledgerAfter: ledgerAfter,
                   dieCelsius: dieCelsius, secondsPerMVM: accelerator.secondsPerMVM)
    }

    public func report() throws(HALError) -> CharacterizationReport {
        let c = configuration
        let full = try run(c)
        var perEffect: [CharacterizationReport.EffectError] = []
        var off: [Effect] = []
        for effect in Effect.allCases {
            guard c.isEnabled(effect) else { off.append(effect); continue }
            perEffect.append(.init(effect: effect, error: try run(c.keepingOnly(effect)).error))
        }

        let a = full.ledgerBefore, b = full.ledgerAfter
        let n = Double(b.mvmCount - a.mvmCount)
        let elapsed = b.elapsedSeconds - a.elapsedSeconds
        let mvm = (b.mvm + a.mvm.scaled(by: -1)).scaled(by: 1 / n)
        let staticPer = (b.staticJoules - a.staticJoules) / n
        let boardPer = (b.boardOverheadJoules - a.boardOverheadJoules) / n
        let systemPer = mvm.totalJoules + staticPer + boardPer
        let ops = 2.0 * Double(c.rows * c.columns)
        let energy = CharacterizationReport.Energy(
            mvm: mvm, mvmDynamicJoules: mvm.totalJoules, staticJoulesPerMVM: staticPer, boardOverheadJoulesPerMVM: boardPer,
            systemJoulesPerMVM: systemPer, mvmSeconds: full.secondsPerMVM.array, hostLinkSeconds: full.secondsPerMVM.hostLink,
            averagePowerWatts: (b.totalJoules - a.totalJoules) / elapsed)
        let peakTile = ops / full.secondsPerMVM.array / 1e12
        let leakagePerMVM = c.energy.staticWatts / Double(max(1, c.tiles)) * full.secondsPerMVM.array
        let chipTOPSPerWatt = ops / (mvm.totalJoules + leakagePerMVM) / 1e12
        let published: Double? = c.energy.publishedTOPSPerWatt > 0 ? c.energy.publishedTOPSPerWatt : nil
        let throughput = CharacterizationReport.Throughput(
            peakTOPSPerTile: peakTile, peakTOPSChip: peakTile * Double(c.tiles),
            effectiveTOPS: ops * n / elapsed / 1e12,
            coreTOPSPerWatt: ops / mvm.totalJoules / 1e12, chipTOPSPerWatt: chipTOPSPerWatt,
            publishedTOPSPerWatt: published, derivedOverPublished: published.map { chipTOPSPerWatt / $0 },
            systemTOPSPerWatt: ops / systemPer / 1e12)
        let digital = baseline.mvmEnergy(rows: c.rows, columns: c.columns)
        let base = CharacterizationReport.Baseline(
            streamedJoulesPerMVM: digital.totalJoules, computeJoulesPerMVM: digital.computeJoules,
            dataMovementJoulesPerMVM: digital.dataMovementJoules,
            coreAdvantageOverStreamed: digital.totalJoules / mvm.totalJoules,
            coreAdvantageOverCompute: digital.computeJoules / mvm.totalJoules,
            systemAdvantageOverStreamed: digital.totalJoules / systemPer,
            systemAdvantageOverCompute: digital.computeJoules / systemPer)
        return CharacterizationReport(
            board: c.name, technology: c.technology, seed: c.seed, rows: c.rows, columns: c.columns, testVectors: testVectors,
            ageSeconds: ageSeconds, dieCelsius: full.dieCelsius, total: full.error, perEffect: perEffect, effectsOff: off,
            programming: full.programming, calibration: full.calibration, energy: energy, throughput: throughput,
            digitalBaseline: base)
    }
}
