import CIMHAL
import Testing
@testable import CIMSimulator

@Suite struct DACTests {
    @Test func inputsSnapToTheCodeGrid() {
        let dac = DACQuantizer(enabled: true, bits: 5, bitSerial: false)
        #expect(dac.codeMax == 15)
        for k in 0...200 {
            let x = Float(k) / 100 - 1
            let q = dac.quantize(x)
            #expect(abs(q - x) <= 0.5 / 15 + 1e-6)
            #expect(abs(q * 15 - (q * 15).rounded()) < 1e-4, "on the grid")
        }
        #expect(dac.quantize(3) == 1 && dac.quantize(-3) == -1, "full scale clips")
        #expect(DACQuantizer(enabled: false, bits: 5, bitSerial: false).quantize(0.123) == 0.123)
    }

    @Test func bitSerialInputsGiveTheSameProductThroughAnIdealADC() throws {
        var parallel = SimulatorConfiguration.ideal(rows: 64, columns: 32)
        parallel.dac = DACQuantizer(enabled: true, bits: 6, bitSerial: false)
        var serial = parallel
        serial.dac.bitSerial = true
        let w = try Fixture.weights(rows: 64, columns: 32)
        let x = Fixture.inputs(count: 1, rows: 64)[0]
        var a = [Float](repeating: 0, count: 32), b = a
        let p = try SimulatedAccelerator(configuration: parallel)
        _ = try p.program(tile: 0, weights: w, policy: .singleShot)
        try p.multiplyValues(tile: 0, input: x, into: &a)
        let s = try SimulatedAccelerator(configuration: serial)
        _ = try s.program(tile: 0, weights: w, policy: .singleShot)
        try s.multiplyValues(tile: 0, input: x, into: &b)
        for j in 0..<32 { #expect(abs(a[j] - b[j]) < 1e-4 * max(1, abs(a[j]))) }
        #expect(s.secondsPerMVM.array == 5 * p.secondsPerMVM.array, "five magnitude slices take five reads")
    }

    @Test func bitSerialSlicesEachMeetTheADC() throws {
        // Output = Σ_b 2^b · round(slice_b sum / LSB) · LSB / codeMax: each slice is rounded on its own.
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 8)
        c.dac = DACQuantizer(enabled: true, bits: 6, bitSerial: true)
        c.adc = ADCQuantizer(enabled: true, bits: 4, fullScaleFraction: 0.25)
        let w = try Fixture.weights(rows: 64, columns: 8)
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: w, policy: .singleShot)
        let x = Fixture.inputs(count: 1, rows: 64)[0]
        var out = [Float](repeating: 0, count: 8)
        try a.multiplyValues(tile: 0, input: x, into: &out)
        let codes = x.map { Int32((c.dac.quantize($0) * 31).rounded()) }
        let lsb = Double(c.adc.lsb(rows: 64)), scales = c.mapping.columnScales(of: w)
        for j in 0..<8 {
            var expected = 0.0
            for bit in 0..<5 {
                var slice = 0.0
                for i in 0..<64 where (codes[i].magnitude >> UInt32(bit)) & 1 == 1 {
                    slice += (codes[i] < 0 ? -1 : 1) * Double(try #require(a.effectiveNormalizedWeight(tile: 0, row: i, column: j)))
                }
                let q = max(-7, min(7, (slice / lsb).rounded()))
                expected += Double(1 << bit) * q * lsb
            }
            expected = expected / 31 * scales[j]
            #expect(abs(Double(out[j]) - expected) < 1e-5 * max(1, abs(expected)), "column \(j)")
        }
    }

    @Test func bitSerialWithTheDACEffectOffIsOnePulseEverywhere() throws {
        // Code path, value path, time and energy must agree on the mode.
        var c = SimulatorConfiguration.ideal(rows: 32, columns: 16)
        c.dac = DACQuantizer(enabled: false, bits: 4, bitSerial: true)
        c.adc = ADCQuantizer(enabled: true, bits: 8, fullScaleFraction: 0.25)
        let w = try Fixture.weights(rows: 32, columns: 16)
        let a = try SimulatedAccelerator(configuration: c)
        let report = try a.program(tile: 0, weights: w, policy: .singleShot)
        let codes = (0..<32).map { Int32($0 % 15) - 7 }
        var out = [Int32](repeating: 0, count: 16)
        try a.multiply(tile: 0, inputCodes: codes, into: &out)
        var values = [Float](repeating: 0, count: 16)
        try a.multiplyValues(tile: 0, input: codes.map { Float($0) / 7 }, into: &values)
        for j in 0..<16 {
            #expect(abs(report.readout.value(ofOutputCode: out[j], column: j) - Double(values[j])) < 1e-5 * max(1, abs(Double(values[j]))))
        }
        #expect(a.secondsPerMVM.array == c.energy.mvmSeconds(slices: 1, adcBits: 8, columnsPerADC: 1))
    }
}

@Suite struct ADCTests {
    @Test func quantisationErrorIsAboutOneLSBOverRootTwelve() throws {
        var c = SimulatorConfiguration.ideal(rows: 128, columns: 64)
        c.adc = ADCQuantizer(enabled: true, bits: 8, fullScaleFraction: 0.125)
        let a = try SimulatedAccelerator(configuration: c)
        let w = try Fixture.weights(rows: 128, columns: 64)
        _ = try a.program(tile: 0, weights: w, policy: .singleShot)
        let scales = c.mapping.columnScales(of: w)
        let lsb = Double(c.adc.lsb(rows: 128))
        var errors: [Double] = []
        var out = [Float](repeating: 0, count: 64)
        for x in Fixture.inputs(count: 64, rows: 128) {
            try a.multiplyValues(tile: 0, input: x, into: &out)
            let y = Fixture.exact(w, x)
            for j in 0..<64 { errors.append((Double(out[j]) - y[j]) / scales[j] / lsb) }
        }
        let rms = (errors.map { $0 * $0 }.reduce(0, +) / Double(errors.count)).squareRoot()
        #expect(abs(rms - 1 / 12.0.squareRoot()) < 0.02, "RMS error \(rms) LSB, theory 0.289")
        #expect(errors.allSatisfy { abs($0) <= 0.5 + 1e-3 }, "no clipping inside full scale")
    }

    @Test func outputsBeyondFullScaleClip() throws {
        var c = SimulatorConfiguration.ideal(rows: 16, columns: 1)
        c.adc = ADCQuantizer(enabled: true, bits: 6, fullScaleFraction: 0.25)
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: try WeightMatrix(rows: 16, columns: 1, values: [Float](repeating: 1, count: 16)), policy: .singleShot)
        var codes = [Int32](repeating: 0, count: 1)
        try a.multiply(tile: 0, inputCodes: [Int32](repeating: 127, count: 16), into: &codes)
        #expect(codes == [31], "16 full products exceed a full scale of 4: the code pins at +31")
        try a.multiply(tile: 0, inputCodes: [Int32](repeating: -127, count: 16), into: &codes)
        #expect(codes == [-31])
    }

    @Test func columnMismatchAppliesGainAndOffsetPerColumn() throws {
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 64)
        c.adcMismatch = ADCColumnMismatch(enabled: true, gainStdRelative: 0.05, offsetStdLSB: 0)
        let w = try Fixture.weights(rows: 64, columns: 64)
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: w, policy: .singleShot)
        let xs = Fixture.inputs(count: 16, rows: 64)
        // Per column, measured / exact is one constant: the column's gain.
        var gains: [Double] = []
        var out = [Float](repeating: 0, count: 64)
        var perColumn = [[Double]](repeating: [], count: 64)
        for x in xs {
            try a.multiplyValues(tile: 0, input: x, into: &out)
            let y = Fixture.exact(w, x)
            for j in 0..<64 where abs(y[j]) > 0.5 { perColumn[j].append(Double(out[j]) / y[j]) }
        }
        for ratios in perColumn where ratios.count > 2 {
            #expect(Fixture.standardDeviation(ratios) < 1e-4)
            gains.append(Fixture.mean(ratios))
        }
        #expect(abs(Fixture.standardDeviation(gains) - 0.05) < 0.015, "gain spread \(Fixture.standardDeviation(gains))")
    }

    @Test func sharedADCsSetTheConversionLatency() throws {
        var c = SimulatorConfiguration.ideal()
        c.adc.bits = 6
        c.columnsPerADC = 1
        let one = try SimulatedAccelerator(configuration: c).secondsPerMVM.array
        c.columnsPerADC = 8
        let eight = try SimulatedAccelerator(configuration: c).secondsPerMVM.array
        let conversion = c.energy.adcConversionSeconds(bits: 6)
        #expect(abs((eight - one) - 7 * conversion) < 1e-18, "seven more conversions in series")
        #expect(abs(conversion - 7e-9) < 1e-18, "(bits + 1) cycles of 1 ns")
    }

    @Test func theCodePathEqualsTheValuePathWithConvertersOn() throws {
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 48)
        c.dac = DACQuantizer(enabled: true, bits: 8, bitSerial: false)
        c.adc = ADCQuantizer(enabled: true, bits: 8, fullScaleFraction: 0.125)
        c.adcMismatch = ADCColumnMismatch(enabled: true, gainStdRelative: 0.02, offsetStdLSB: 0.5)
        let w = try Fixture.weights(rows: 64, columns: 48)
        let a = try SimulatedAccelerator(configuration: c)
        let report = try a.program(tile: 0, weights: w, policy: .singleShot)
        let x = Fixture.inputs(count: 1, rows: 64)[0]
        var values = [Float](repeating: 0, count: 48)
        try a.multiplyValues(tile: 0, input: x, into: &values)
        var codes = [Int32](repeating: 0, count: 48)
        try a.multiply(tile: 0, inputCodes: x.map { report.readout.inputCode(for: $0) }, into: &codes)
        for j in 0..<48 {
            let fromCodes = report.readout.value(ofOutputCode: codes[j], column: j)
            #expect(abs(fromCodes - Double(values[j])) <= 1e-6 * max(1, abs(fromCodes)))
        }
    }
}
