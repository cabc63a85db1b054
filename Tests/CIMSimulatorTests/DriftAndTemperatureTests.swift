import Foundation
import CIMHAL
import Testing
@testable import CIMSimulator

@Suite struct DriftTests {
    let drift = ConductanceDrift(enabled: true, exponentMean: 0.05, exponentStd: 0, referenceSeconds: 20)

    @Test func conductanceFollowsThePowerLaw() {
        let nu: Float = 0.05
        for t in [0.0, 20, 3600, 86_400, 2_592_000] {
            let expected = pow((t + 20) / 20, -Double(nu))
            #expect(abs(drift.factor(exponent: nu, secondsSinceProgramming: t) - expected) < 1e-12)
        }
        #expect(drift.factor(exponent: 0.05, secondsSinceProgramming: 0) == 1)
        // One day at ν = 0.05, t₀ = 20 s: (4321)^−0.05 = 0.6580 — a third of the conductance gone.
        #expect(abs(drift.factor(exponent: 0.05, secondsSinceProgramming: 86_400) - 0.6580) < 1e-3)
    }

    @Test func exponentsSpreadAroundTheMeanPerCell() {
        var rng = SeededGenerator(seed: 2)
        let spread = ConductanceDrift(enabled: true, exponentMean: 0.05, exponentStd: 0.01, referenceSeconds: 20)
        let nus = (0..<20_000).map { _ in Double(spread.drawExponent(rng: &rng)) }
        #expect(abs(Fixture.mean(nus) - 0.05) < 0.0005)
        #expect(abs(Fixture.standardDeviation(nus) - 0.01) < 0.0005)
    }

    @Test func effectiveWeightsDecayWithTimeOnTheTile() throws {
        var c = SimulatorConfiguration.ideal(rows: 32, columns: 32)
        c.drift = drift
        c.mapping.gMinSiemens = 0  // so G⁺ − G⁻ scales exactly with the drift factor
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: try Fixture.weights(rows: 32, columns: 32), policy: .singleShot)
        let w0 = try #require(a.effectiveNormalizedWeight(tile: 0, row: 3, column: 5))
        a.advance(seconds: 86_400)
        let w1 = try #require(a.effectiveNormalizedWeight(tile: 0, row: 3, column: 5))
        let expected = pow(86_400.0 / 20 + 1, -0.05)
        #expect(abs(Double(w1 / w0) - expected) < 1e-3, "ratio \(w1 / w0), law \(expected)")
    }

    @Test func driftErrorGrowsWithTimeAndCalibrationRemovesMostOfIt() throws {
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 64)
        // A narrow ν spread: the common decay dominates, and that is what a gain fit removes.
        c.drift = ConductanceDrift(enabled: true, exponentMean: 0.05, exponentStd: 0.005, referenceSeconds: 20)
        let w = try Fixture.weights(rows: 64, columns: 64)
        let xs = Fixture.inputs(count: 16, rows: 64)
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: w, policy: .singleShot)
        a.advance(seconds: 3600)
        let hour = try Fixture.relativeError(a, w, xs)
        a.advance(seconds: 86_400)
        let day = try Fixture.relativeError(a, w, xs)
        _ = try a.calibrate(tile: 0, method: .referenceInputs(count: 32))
        let calibrated = try Fixture.relativeError(a, w, xs)
        #expect(day > hour, "\(hour) → \(day)")
        #expect(calibrated < day / 4, "calibration tracks the mean decay: \(day) → \(calibrated)")
    }
}

@Suite struct TemperatureTests {
    @Test func tenKelvinShiftTheMeanConductanceByTheCoefficient() throws {
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 64)
        c.mapping.gMinSiemens = 0
        c.temperature = TemperatureDependence(enabled: true, coefficientMeanPerKelvin: -0.003, coefficientStdPerKelvin: 0.001, referenceCelsius: 25)
        c.thermal = .steps([.init(atSeconds: 0, celsius: 25), .init(atSeconds: 100, celsius: 35)])
        let a = try SimulatedAccelerator(configuration: c)
        let w = try Fixture.weights(rows: 64, columns: 64)
        _ = try a.program(tile: 0, weights: w, policy: .singleShot)
        func meanMagnitude() throws -> Double {
            var s = 0.0
            for i in 0..<64 { for j in 0..<64 { s += Double(abs(try #require(a.effectiveNormalizedWeight(tile: 0, row: i, column: j)))) } }
            return s
        }
        let cool = try meanMagnitude()
        a.advance(seconds: 200)
        #expect(try a.dieTemperatureCelsius() == 35)
        let warm = try meanMagnitude()
        #expect(abs(warm / cool - 0.97) < 0.001, "+10 °C at −0.3%/K: ratio \(warm / cool)")
    }

    @Test func thePerCellSpreadLeavesErrorThatCalibrationCannotRemove() throws {
        var c = SimulatorConfiguration.ideal(rows: 64, columns: 64)
        c.temperature = TemperatureDependence(enabled: true, coefficientMeanPerKelvin: -0.003, coefficientStdPerKelvin: 0.001, referenceCelsius: 25)
        c.thermal = .fixed(celsius: 60)
        let w = try Fixture.weights(rows: 64, columns: 64)
        let xs = Fixture.inputs(count: 16, rows: 64)
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: w, policy: .singleShot)
        let hot = try Fixture.relativeError(a, w, xs)
        _ = try a.calibrate(tile: 0, method: .referenceInputs(count: 32))
        let calibrated = try Fixture.relativeError(a, w, xs)
        #expect(hot > 0.08, "35 K over reference at −0.3%/K: about 10% low, got \(hot)")
        #expect(calibrated < hot / 2)
        // What is left is the per-cell spread: 35 K × 0.1%/K ≈ 3.5% per cell.
        #expect(calibrated > 0.02 && calibrated < 0.06, "the spread survives a per-column gain fit: \(calibrated)")
    }

    @Test func thermalProfilesGiveTheDieTemperatureOverTime() {
        #expect(ThermalProfile.fixed(celsius: 40).celsius(atSeconds: 1e6) == 40)
        let steps = ThermalProfile.steps([.init(atSeconds: 0, celsius: 0), .init(atSeconds: 10, celsius: 25), .init(atSeconds: 20, celsius: 60)])
        #expect(steps.celsius(atSeconds: 5) == 0 && steps.celsius(atSeconds: 10) == 25 && steps.celsius(atSeconds: 99) == 60)
        let ramp = ThermalProfile.ramp(startCelsius: 20, endCelsius: 60, startSeconds: 100, durationSeconds: 400)
        #expect(ramp.celsius(atSeconds: 0) == 20 && ramp.celsius(atSeconds: 300) == 40 && ramp.celsius(atSeconds: 1000) == 60)
    }
}

/// A legal but extreme board (ν ≈ 1 from t₀ = 1 ns: the conductance falls a
/// decade per decade of time) once rebuilt the whole tile on every MVM.
@Suite struct DriftRefreshCostTests {
    @Test func extremeDriftRebuildsATileAtMostOncePerTenMillisecondsOfBoardTime() throws {
        var c = SimulatorConfiguration.ideal(rows: 32, columns: 32)
        c.drift = ConductanceDrift(enabled: true, exponentMean: 1, exponentStd: 1, referenceSeconds: 1e-9)
        let a = try SimulatedAccelerator(configuration: c)
        _ = try a.program(tile: 0, weights: try Fixture.weights(rows: 32, columns: 32), policy: .singleShot)
        let tile = try #require(a.tiles[0])
        let before = tile.rebuilds
        let start = a.ledger.elapsedSeconds
        var output = [Float](repeating: 0, count: 32)
        for x in Fixture.inputs(count: 2000, rows: 32) {
            try a.multiplyValues(tile: 0, input: x, into: &output)
            a.advance(seconds: 1e-4)  // an inference's worth of other tiles' work between two uses
        }
        let boardSeconds = a.ledger.elapsedSeconds - start
        let allowed = Int(boardSeconds / ConductanceDrift.minimumRefreshSeconds) + 1
        #expect(tile.rebuilds - before <= allowed, "\(tile.rebuilds - before) rebuilds over \(boardSeconds) s of board time")
        #expect(tile.rebuilds - before < 2000, "fewer rebuilds than MVMs")
        #expect(boardSeconds > 3 * ConductanceDrift.minimumRefreshSeconds, "the MVMs span several refresh intervals: \(boardSeconds) s")
    }

    @Test func thePresetsDriftNeverReachesTheFloor() {
        // PCM, the steepest preset: ν = 0.05 + 3 · 0.02 from t₀ = 20 s needs this long to move 0.1%.
        let steepest = 0.05 + 3 * 0.02
        let seconds = 20 * (exp(1e-3 / steepest) - 1)
        #expect(seconds > 10 * ConductanceDrift.minimumRefreshSeconds)
    }
}
