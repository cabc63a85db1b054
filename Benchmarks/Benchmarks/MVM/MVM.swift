import BareGEMV
import Benchmark
import CIMHAL
import CIMSimulator

/// One 256x256 simulated MVM with every per-MVM effect on (read noise, DAC and
/// ADC quantisation, column mismatch, trims; drift, temperature, IR drop and
/// stuck cells folded into the effective conductances), at batch 1 and 64.
///
/// Each sample runs 1 000 calls (scalingFactor .kilo) so the weights stay
/// warm in cache as they do in a running firmware; times are per call.
/// MACs per second = 65 536 × batch / (time per call).
@MainActor
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(10),
        maxIterations: 1_000)

    bareBenchmarks()
    for batch in [1, 64] {
        Benchmark("MVM 256x256 all effects, batch \(batch)") { benchmark, state in
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                try state.accelerator.multiplyBatch(tile: 0, batchSize: batch, inputCodes: state.inputs, into: &state.outputs)
            }
            benchmark.stopMeasurement()
            blackHole(state.outputs)
        } setup: {
            try MVMState(batch: batch)
        }
    }
}

/// The same shapes as a bare GEMV: 256x256 float weights, batch 1 and 64
/// (64 calls), nothing of the analog model. Measured in the same run as the
/// simulator, so "simulated MVM / bare GEMV" is a ratio on the same machine state.
@MainActor
let bareBenchmarks: @Sendable () -> Void = {
    for batch in [1, 64] {
        Benchmark("bare C GEMV 256x256, batch \(batch)") { benchmark, state in
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                state.weights.withUnsafeBufferPointer { w in
                    state.inputs.withUnsafeBufferPointer { x in
                        state.outputs.withUnsafeMutableBufferPointer { y in
                            for v in 0..<batch {
                                bare_gemv(w.baseAddress, x.baseAddress! + 256 * v, y.baseAddress! + 256 * v, 256, 256)
                            }
                        }
                    }
                }
            }
            benchmark.stopMeasurement()
            blackHole(state.outputs)
        } setup: {
            GEMVState(batch: batch)
        }
    }
}

final class GEMVState {
    let weights: [Float]
    let inputs: [Float]
    var outputs: [Float]

    init(batch: Int) {
        var rng = SeededGenerator(seed: 1)
        weights = (0..<65536).map { _ in Float(0.5 * rng.nextSignedUnit()) }
        inputs = (0..<(256 * batch)).map { _ in Float(0.5 * rng.nextSignedUnit()) }
        outputs = [Float](repeating: 0, count: 256 * batch)
    }
}

final class MVMState {
    let accelerator: SimulatedAccelerator
    let inputs: [Int32]
    var outputs: [Int32]

    init(batch: Int) throws {
        var c = SimulatorConfiguration.ideal(rows: 256, columns: 256)
        for effect in Effect.allCases { c.set(effect, enabled: true) }
        c.programming.variabilityRelative = 0.1
        c.readNoise.sigmaRelative = 0.01
        c.irDrop.wireOhmsPerSegment = 0.007
        c.drift = ConductanceDrift(enabled: true, exponentMean: 0.005, exponentStd: 0.002, referenceSeconds: 20)
        c.temperature = TemperatureDependence(enabled: true, coefficientMeanPerKelvin: -0.003, coefficientStdPerKelvin: 0.001, referenceCelsius: 25)
        c.adcMismatch = ADCColumnMismatch(enabled: true, gainStdRelative: 0.02, offsetStdLSB: 0.5)
        c.stuckAt = StuckAtFaults(enabled: true, stuckOnRate: 0.001, stuckOffRate: 0.002)
        c.adc.bits = 6
        c.adc.fullScaleFraction = 0.0625
        c.thermal = .fixed(celsius: 35)
        accelerator = try SimulatedAccelerator(configuration: c)
        var rng = SeededGenerator(seed: 1)
        let weights = try WeightMatrix(rows: 256, columns: 256,
                                       values: (0..<65536).map { _ in Float(0.5 * rng.nextSignedUnit()) })
        _ = try accelerator.program(tile: 0, weights: weights, policy: .singleShot)
        _ = try accelerator.calibrate(tile: 0, method: .referenceInputs(count: 32))
        accelerator.advance(seconds: 3600)
        inputs = (0..<(256 * batch)).map { _ in Int32(truncatingIfNeeded: Int(rng.next() % 255) - 127) }
        outputs = [Int32](repeating: 0, count: 256 * batch)
        // Warm-up: the first call folds drift and temperature into the effective weights.
        try accelerator.multiplyBatch(tile: 0, batchSize: batch, inputCodes: inputs, into: &outputs)
    }
}
