import Testing
@testable import Evaluation

/// The article's rule: worth scaling only with at least 5x less energy per
/// inference than both baselines and within 1 point of float accuracy.
@Suite struct VerdictTests {
    static let baseline = DigitalBaselineResult(
        floatAccuracy: 0.9, clips: 100, cpuModelJoulesPerInference: 100e-6, cpuModelSource: "model",
        measuredCPUSecondsPerInference: 1e-3, referenceRuntimeCPUSecondsPerInference: 5e-3, cpuActiveWatts: 0.1,
        cpuWattsSource: "test", measuredCPUJoulesPerInference: 100e-6, host: "test")

    static func energy(_ joules: Double, core: Double? = nil) -> EnergyResult {
        EnergyResult(source: "test", runs: [], medianJoulesPerInference: joules, modelJoulesPerInference: nil,
                     measurementError: nil, coreJoulesPerInference: core, idlePowerWatts: 0.27, perInferenceJoules: [],
                     protocolNote: "test")
    }

    static func accuracy(gapPoints: Double) -> AccuracyResult {
        AccuracyResult(clips: 100, float: 0.9, accelerator: 0.9 - gapPoints / 100, gapPoints: gapPoints, agreement: 1)
    }

    @Test(arguments: [
        // (gap in points, board µJ, worth scaling)
        (0.0, 10.0, true),     // 10x less, same accuracy
        (1.0, 20.0, true),     // exactly 1 point and exactly 5x: both inclusive
        (1.2, 10.0, false),    // accurate enough? no
        (0.0, 25.0, false),    // only 4x less
        (-2.0, 1.0, true),     // better than float counts as within
    ])
    func theRule(gap: Double, boardMicrojoules: Double, worth: Bool) {
        let v = BoardEvaluator.verdict(accuracy: Self.accuracy(gapPoints: gap), energy: Self.energy(boardMicrojoules * 1e-6),
                                       baseline: Self.baseline)
        #expect(v.worthScaling == worth)
        #expect(abs(v.energyAdvantageOverCPUModel - 100 / boardMicrojoules) < 1e-9)
        #expect(v.accuracyWithinOnePoint == (gap <= 1))
    }

    @Test func bothBaselinesMustBeBeaten() {
        var measuredCheap = Self.baseline
        measuredCheap.measuredCPUJoulesPerInference = 30e-6
        let v = BoardEvaluator.verdict(accuracy: Self.accuracy(gapPoints: 0), energy: Self.energy(10e-6), baseline: measuredCheap)
        #expect(v.energyAdvantageOverCPUModel == 10)
        #expect(abs(v.energyAdvantageOverMeasuredCPU - 3) < 1e-9)
        #expect(!v.worthScaling)
        #expect(v.reasons.contains { $0.contains("measured CPU time") && $0.contains("not met") })
    }

    @Test func aLosingBoardWhoseCoreWinsSaysWhereTheEnergyGoes() {
        let v = BoardEvaluator.verdict(accuracy: Self.accuracy(gapPoints: 0), energy: Self.energy(50e-6, core: 0.5e-6),
                                       baseline: Self.baseline)
        #expect(!v.worthScaling)
        #expect(abs((v.coreEnergyAdvantageOverCPUModel ?? 0) - 200) < 1e-9)
        #expect(v.reasons.contains { $0.contains("core alone") && $0.contains("200x") })
    }
}
