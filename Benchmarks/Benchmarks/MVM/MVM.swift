import Benchmark
import CIMHAL
import CIMSimulator

/// One 256x256 simulated MVM with every per-MVM effect on (read noise, DAC and
/// ADC quantisation, column mismatch, trims; drift, temperature and IR drop
/// folded into the effective conductances), at batch 1 and batch 64.
/// MACs per second = 65 536 × batch × throughput (scaled iterations/s).
@MainActor
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal],
        warmupIterations: 50,
        maxDuration: .seconds(3),
        maxIterations: 100_000)

    for batch in [1, 64] {
        Benchmark("MVM 256x256 all effects, batch \(batch)") { benchmark in
            var c = SimulatorConfiguration.ideal(rows: 256, columns: 256)
            for effect in Effect.allCases { c.set(effect, enabled: true) }
            c.programming.variabilityRelative = 0.1
            c.readNoise.sigmaRelative = 0.02
            c.irDrop.wireOhmsPerSegment = 0.05
            c.drift = ConductanceDrift(enabled: true, exponentMean: 0.05, exponentStd: 0.01, referenceSeconds: 20)
            c.temperature = TemperatureDependence(enabled: true, coefficientMeanPerKelvin: -0.003, coefficientStdPerKelvin: 0.001, referenceCelsius: 25)
            c.adcMismatch = ADCColumnMismatch(enabled: true, gainStdRelative: 0.02, offsetStdLSB: 0.5)
            c.stuckAt = StuckAtFaults(enabled: true, stuckOnRate: 0.001, stuckOffRate: 0.001)
            c.dac.bits = 8
            c.adc.bits = 8
            c.adc.fullScaleFraction = 0.0625
            let accelerator = try SimulatedAccelerator(configuration: c)
            var rng = SeededGenerator(seed: 1)
            let weights = try WeightMatrix(rows: 256, columns: 256,
                                           values: (0..<65536).map { _ in Float(0.5 * rng.nextSignedUnit()) })
            _ = try accelerator.program(tile: 0, weights: weights, policy: .singleShot)
            accelerator.advance(seconds: 3600)
            let inputs = (0..<(256 * batch)).map { _ in Int32(truncatingIfNeeded: Int(rng.next() % 255) - 127) }
            var outputs = [Int32](repeating: 0, count: 256 * batch)
            try accelerator.multiplyBatch(tile: 0, batchSize: batch, inputCodes: inputs, into: &outputs)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                try accelerator.multiplyBatch(tile: 0, batchSize: batch, inputCodes: inputs, into: &outputs)
            }
            benchmark.stopMeasurement()
            blackHole(outputs)
        }
    }
}
