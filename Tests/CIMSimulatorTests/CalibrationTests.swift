import CIMHAL
import Testing
@testable import CIMSimulator

@Suite struct CalibrationTests {
    /// A board whose columns disagree in gain and offset, read through a
    /// realistic (noisy, quantising) path.
    func mismatchedBoard(referenceColumn: Bool = false) -> SimulatorConfiguration {
        var c = SimulatorConfiguration.ideal(rows: 128, columns: 64)
        c.adcMismatch = ADCColumnMismatch(enabled: true, gainStdRelative: 0.05, offsetStdLSB: 1)
        c.readNoise = ReadNoise(enabled: true, sigmaRelative: 0.005)
        c.adc = ADCQuantizer(enabled: true, bits: 8, fullScaleFraction: 0.125)
        c.dac = DACQuantizer(enabled: true, bits: 8, bitSerial: false)
        c.calibration.referenceColumn = referenceColumn
        return c
    }

    /// Each column's gain as seen from outside: least squares of measured on exact.
    func columnGains(_ a: SimulatedAccelerator, _ w: WeightMatrix, _ xs: [[Float]]) throws -> [Double] {
        var out = [Float](repeating: 0, count: w.columns)
        var measured = [[Double]](repeating: [], count: w.columns), exact = measured
        for x in xs {
            try a.multiplyValues(tile: 0, input: x, into: &out)
            let y = Fixture.exact(w, x)
            for j in 0..<w.columns { measured[j].append(Double(out[j])); exact[j].append(y[j]) }
        }
        return (0..<w.columns).map { ColumnCalibrator.fit(expected: exact[$0], measured: measured[$0]).gain }
    }

    @Test func leastSquaresRecoversAKnownGainAndOffset() {
        let e = (0..<50).map { Double($0) - 25 }
        let fit = ColumnCalibrator.fit(expected: e, measured: e.map { 0.9 * $0 + 0.3 })
        #expect(abs(fit.gain - 0.9) < 1e-12 && abs(fit.offset - 0.3) < 1e-12)
        let flat = ColumnCalibrator.fit(expected: [Double](repeating: 0, count: 10), measured: [Double](repeating: 2, count: 10))
        #expect(flat.gain == 1 && flat.offset == 2, "a column with nothing to fit keeps unit gain")
    }

    @Test func calibrationCutsPerColumnGainErrorAndMVMError() throws {
        let a = try SimulatedAccelerator(configuration: mismatchedBoard())
        let w = try Fixture.weights(rows: 128, columns: 64)
        _ = try a.program(tile: 0, weights: w, policy: .singleShot)
        let xs = Fixture.inputs(count: 32, rows: 128, seed: 99)
        let gainsBefore = try columnGains(a, w, xs)
        let errorBefore = try Fixture.relativeError(a, w, xs)
        let calibration = try a.calibrate(tile: 0, method: .referenceInputs(count: 32))
        let gainsAfter = try columnGains(a, w, xs)
        let errorAfter = try Fixture.relativeError(a, w, xs)
        let spreadBefore = (gainsBefore.map { ($0 - 1) * ($0 - 1) }.reduce(0, +) / 64).squareRoot()
        let spreadAfter = (gainsAfter.map { ($0 - 1) * ($0 - 1) }.reduce(0, +) / 64).squareRoot()
        #expect(spreadAfter < spreadBefore / 4, "RMS gain error \(spreadBefore) → \(spreadAfter)")
        #expect(errorAfter < errorBefore / 2, "MVM error \(errorBefore) → \(errorAfter)")
        #expect(calibration.gain.count == 64 && calibration.durationSeconds > 0 && calibration.energyJoules > 0)
    }

    @Test func moreReferenceVectorsAverageNoiseDown() throws {
        var c = mismatchedBoard()
        c.readNoise.sigmaRelative = 0.03
        let w = try Fixture.weights(rows: 128, columns: 64)
        let xs = Fixture.inputs(count: 32, rows: 128, seed: 98)
        func errorAfter(_ vectors: Int) throws -> Double {
            let a = try SimulatedAccelerator(configuration: c)
            _ = try a.program(tile: 0, weights: w, policy: .singleShot)
            _ = try a.calibrate(tile: 0, method: .referenceInputs(count: vectors))
            let gains = try columnGains(a, w, xs)
            return (gains.map { ($0 - 1) * ($0 - 1) }.reduce(0, +) / 64).squareRoot()
        }
        #expect(try errorAfter(256) < errorAfter(4))
    }

    @Test func theReferenceColumnTracksDriftWithOneCheapRead() throws {
        var c = mismatchedBoard(referenceColumn: true)
        c.mapping.gMinSiemens = 0
        c.drift = ConductanceDrift(enabled: true, exponentMean: 0.05, exponentStd: 0.002, referenceSeconds: 20)
        let w = try Fixture.weights(rows: 128, columns: 64)
        let xs = Fixture.inputs(count: 16, rows: 128, seed: 97)
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: w, policy: .singleShot)
        let full = try a.calibrate(tile: 0, method: .referenceInputs(count: 32))
        let fresh = try Fixture.relativeError(a, w, xs)
        a.advance(seconds: 86_400)
        let drifted = try Fixture.relativeError(a, w, xs)
        let tracked = try a.calibrate(tile: 0, method: .referenceColumn)
        let corrected = try Fixture.relativeError(a, w, xs)
        #expect(drifted > 3 * fresh, "a day of ν = 0.05 drift: \(fresh) → \(drifted)")
        #expect(corrected < drifted / 2, "reference column: \(drifted) → \(corrected)")
        #expect(tracked.durationSeconds < full.durationSeconds / 2, "tracking costs a few reads, not a full calibration")
    }

    @Test func theReferenceColumnWorksWithACoarseDAC() throws {
        var c = mismatchedBoard(referenceColumn: true)
        c.dac.bits = 4
        c.adc.bits = 6
        // Half of this full scale over the column's intended sum is under half a 4-bit DAC step.
        c.adc.fullScaleFraction = 0.03
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: try Fixture.weights(rows: 128, columns: 64), policy: .singleShot)
        _ = try a.calibrate(tile: 0, method: .referenceInputs(count: 16))
        let tracked = try a.calibrate(tile: 0, method: .referenceColumn)
        #expect(tracked.gain.allSatisfy { $0.isFinite && $0 > 0 }, "no NaN trims from a zero-amplitude reference read")
    }

    @Test func referenceColumnTrackingNeedsTheColumnAndAFullCalibrationFirst() throws {
        let without = try SimulatedAccelerator(configuration: mismatchedBoard(referenceColumn: false))
        #expect(throws: HALError.self) { try without.calibrate(tile: 0, method: .referenceColumn) }
        let with = try SimulatedAccelerator(configuration: mismatchedBoard(referenceColumn: true))
        _ = try with.program(tile: 0, weights: try Fixture.weights(rows: 128, columns: 64), policy: .singleShot)
        #expect(throws: HALError.self) { try with.calibrate(tile: 0, method: .referenceColumn) }
    }
}
