import BoardSupport
import CIMHAL
import CIMSimulator
import Foundation
import Testing
@testable import KWS

/// The compiled model on a simulated accelerator against the float runtime.
@Suite struct AcceleratorRuntimeTests {
    /// Every effect off and fine converters: what is left is 16-bit input
    /// and output rounding, so the tiles must reproduce the float model.
    static func fineAccelerator(rows: Int, columns: Int, tiles: Int) throws -> SimulatedAccelerator {
        var c = SimulatorConfiguration.ideal(rows: rows, columns: columns, tiles: tiles)
        c.dac.bits = 16
        c.adc.bits = 16
        c.adc.fullScaleFraction = 1
        return try SimulatedAccelerator(configuration: c)
    }

    static func outputs(_ classify: (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) throws -> Void,
                        frames: [Float], count: Int) rethrows -> [Float] {
        var out = [Float](repeating: 0, count: count)
        try frames.withUnsafeBufferPointer { x in try out.withUnsafeMutableBufferPointer { try classify(x, $0) } }
        return out
    }

    @Test(arguments: [true, false])
    func anIdealAcceleratorReproducesTheFloatModelWithMatricesSplitOverTiles(linearBeforeReset: Bool) throws {
        let model = try TileCompilerTests.randomModel(hidden: 24, linearBeforeReset: linearBeforeReset, seed: 7)
        let accelerator = try Self.fineAccelerator(rows: 32, columns: 40, tiles: 32)
        let deployment = try ModelDeployment.deploy(model, on: accelerator, policy: .singleShot, calibration: nil, faultScan: false)
        #expect(Set(deployment.compiled.pieces.filter { $0.matrix == 0 }.map(\.rowStart)).count > 1, "rows must be split")
        let float = FloatRuntime(model: model)
        var seed: UInt64 = 3
        let frames = (0..<(49 * 10)).map { _ -> Float in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(seed >> 33) % 2001 - 1000) / 400
        }
        let expected = try Self.outputs({ try float.classify($0, into: $1) }, frames: frames, count: 12)
        let got = try Self.outputs({ try deployment.runtime.classify($0, into: $1) }, frames: frames, count: 12)
        let worst = zip(expected, got).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 2e-3, "largest probability difference \(worst)")
    }

    @Test func theFaultScanFindsExactlyTheSimulatorsStuckCells() throws {
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 64)
        c.stuckAt = StuckAtFaults(enabled: true, stuckOnRate: 0.01, stuckOffRate: 0.01)
        c.adc.enabled = true
        c.adc.bits = 6
        c.adc.fullScaleFraction = 0.0625
        let accelerator = try SimulatedAccelerator(configuration: c)
        let map = try FaultScan.scan(accelerator, tile: 0, policy: .singleShot)
        let cells = try #require(accelerator.stuckCells(tile: 0))
        let physical = cells.count / 64
        var missed = 0, wrong = 0
        for r in 0..<64 {
            for j in 0..<64 {
                let plus = cells[r * physical + 2 * j], minus = cells[r * physical + 2 * j + 1]
                let expected: TileFaultMap.PairFault
                switch (plus, minus) {
                case (.stuckOn, .stuckOn), (.stuckOff, .stuckOff), (.healthy, .healthy): expected = .healthy
                case (.stuckOn, _): expected = .positiveStuckOn
                case (_, .stuckOn): expected = .negativeStuckOn
                case (.stuckOff, _): expected = .positiveStuckOff
                default: expected = .negativeStuckOff
                }
                // Both cells stuck alike still hold weight 0 and read as a stuck pair only for ±1 patterns.
                if plus == minus && plus != .healthy { continue }
                if map[r, j] != expected { if map[r, j] == .healthy { missed += 1 } else { wrong += 1 } }
            }
        }
        #expect(map.stuckOnPairs > 0 && map.stuckOffPairs > 0)
        #expect(missed == 0 && wrong == 0, "\(missed) stuck pairs missed, \(wrong) misclassified")
    }

    @Test func stuckCellsFoundByTheScanAreCorrectedDigitally() throws {
        let model = try TileCompilerTests.randomModel(hidden: 24, seed: 11)
        let float = FloatRuntime(model: model)
        let frames = (0..<490).map { Float(($0 * 7919) % 200 - 100) / 60 }
        let expected = try Self.outputs({ try float.classify($0, into: $1) }, frames: frames, count: 12)
        func worstError(faultScan: Bool) throws -> Float {
            var c = SimulatorConfiguration.ideal(rows: 128, columns: 128, tiles: 4)
            c.dac.bits = 16
            c.adc.bits = 16
            c.adc.fullScaleFraction = 1
            // So many stuck cells that no row is clean: placement alone cannot avoid them.
            c.stuckAt = StuckAtFaults(enabled: true, stuckOnRate: 0.02, stuckOffRate: 0.02)
            let accelerator = try SimulatedAccelerator(configuration: c)
            let deployment = try ModelDeployment.deploy(model, on: accelerator, policy: .singleShot, calibration: nil, faultScan: faultScan)
            if faultScan { #expect(deployment.compiled.stuckOnPairsUsed > 0 && deployment.compiled.digitalWeights > 0) }
            let got = try Self.outputs({ try deployment.runtime.classify($0, into: $1) }, frames: frames, count: 12)
            return zip(expected, got).map { abs($0 - $1) }.max() ?? 1
        }
        let corrected = try worstError(faultScan: true), uncorrected = try worstError(faultScan: false)
        #expect(corrected < 5e-3, "with the scan: largest probability difference \(corrected)")
        #expect(uncorrected > 10 * corrected, "without the scan: \(uncorrected)")
    }

    @Test func nonFiniteFeaturesAreRefusedNotConverted() throws {
        let model = try TileCompilerTests.randomModel(hidden: 8)
        let accelerator = try Self.fineAccelerator(rows: 128, columns: 64, tiles: 4)
        let runtime = try ModelDeployment.deploy(model, on: accelerator, policy: .singleShot, calibration: nil, faultScan: false).runtime
        var frames = [Float](repeating: 0, count: 490)
        frames[17] = .nan
        #expect(throws: HALError.self) { _ = try Self.outputs({ try runtime.classify($0, into: $1) }, frames: frames, count: 12) }
    }
}

/// The shipped model on the RRAM preset, deployed as the firmware does
/// (stuck-cell scan, write-verify, calibration), on the held-out voices of
/// the shipped test set: the article's threshold is 1 point of float.
@Suite struct ShippedModelOnRRAMTests {
    @Test func accuracyOnHeldOutVoicesIsWithinOnePointOfFloat() throws {
        let repository = ONNXImportTests.repository
        let image = try KWSImage.load(directory: repository.appendingPathComponent("firmware/kws-gru"))
        let all = try TestSet.load(directory: repository.appendingPathComponent("firmware/kws-gru/test"),
                                   normalisation: image.normalisation, classes: image.model.outputs)
        let set = TestSet(directory: all.directory, clips: all.clips.filter { $0.split.hasPrefix("test-") })
        #expect(set.clips.count == 120)
        let board = try Board.open(try BoardFile.load(path: repository.appendingPathComponent("boards/sim-rram-256.toml").path))
        let deployment = try ModelDeployment.deploy(image.model, on: board.accelerator, policy: board.programmingPolicy,
                                                    calibration: board.calibrationMethod)
        #expect(deployment.compiled.stuckOnPairsUsed == 0 || deployment.faultMaps.contains { $0.stuckOnPairs > 0 })
        let float = try KeywordSpotter(backend: .float(FloatRuntime(model: image.model)), normalisation: image.normalisation)
        let analog = try KeywordSpotter(backend: .accelerator(deployment.runtime), normalisation: image.normalisation)
        let f = SplitAccuracy.tally(set, predictions: try float.predictions(set)).last!
        let a = SplitAccuracy.tally(set, predictions: try analog.predictions(set)).last!
        // 120 clips: one clip is 0.83 points.
        #expect(a.correct >= f.correct - 1, "float \(f.correct)/120, accelerator \(a.correct)/120")
        // The model is trained for real speech (RealSpeechValidationTests holds its real-speech
        // accuracy); on these synthetic held-out voices its float accuracy is 92.5%.
        #expect(f.accuracy >= 0.90)
    }
}
