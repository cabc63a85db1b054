import CIMDrivers
import CIMHAL
import Testing
@testable import BoardSupport

/// The MLPerf Tiny method end to end on the emulated board: raise the marker,
/// run inferences through the eval-board driver while the INA226 driver
/// samples the rail, drop the marker, integrate between the edges — and
/// compare with the energy the simulator actually booked.
@Suite struct EnergyPerInferenceTests {
    @Test func theMarkerWindowMeasuresWhatTheSimulatorSpentWithinTheBound() throws {
        guard case let .hardware(c) = try BoardFile.load(path: Presets.directory.appendingPathComponent("virtual-eval.toml").path) else {
            Issue.record("virtual-eval is not a hardware board"); return
        }
        let rig = try EmulatedRig(c)
        let board = try EvalBoard(bus: rig.bus, address: try I2CAddress(c.evalBoardAddress), reset: try rig.chip.output(c.resetLine),
                                  ready: try rig.chip.input(c.readyLine), timeouts: HardwareBoard.timeouts(c), attempts: 3)
        var monitors = try HardwareBoard.powerMonitors(on: rig.bus, c, clock: rig.clock.now, delay: rig.clock.wait)
        var marker = try rig.chip.output(c.markerLine)
        var edges = try rig.chip.input(c.markerLine)
        let values: [Float] = (0..<2048).map { (k: Int) -> Float in Float(k * 37 % 19 - 9) / 18 }
        _ = try board.program(tile: 0, weights: try WeightMatrix(rows: 64, columns: 32, values: values), policy: .singleShot)
        var input = [Int32](repeating: 0, count: board.geometry.rows)
        for i in 0..<64 { input[i] = Int32(i * 13 % 9 - 4) * 30 }
        var output = [Int32](repeating: 0, count: board.geometry.columns)

        // Idle a little, sample, then run the marked window.
        rig.clock.wait(0.01)
        var samples = [try monitors[0].sample()]
        let joulesBefore = rig.accelerator.ledger.totalJoules
        let inferences = 600
        try marker.set(.high)
        for k in 1...inferences {
            try board.multiply(tile: 0, inputCodes: input, into: &output)
            if k % 40 == 0 { samples.append(try monitors[0].sample()) }
        }
        try marker.set(.low)
        let joulesAfter = rig.accelerator.ledger.totalJoules
        rig.clock.wait(0.001)
        samples.append(try monitors[0].sample())

        let windows = InferenceEnergy.windows(from: [try #require(try edges.waitForEdge(timeoutSeconds: 0)),
                                                     try #require(try edges.waitForEdge(timeoutSeconds: 0))])
        let window = try #require(windows.first)
        let ina = try INACalibration.ina226(shuntMicroOhms: Double(c.powerMonitors[0].rshuntMicroOhms),
                                            maxExpectedCurrentAmps: c.powerMonitors[0].maxCurrentAmps)
        let energy = try InferenceEnergy.integrate(samples, from: window.startSeconds, to: window.endSeconds, inferences: inferences,
                                                   conversionWindowSeconds: 280e-6, powerResolutionWatts: ina.powerLSBWatts)
        let truth = joulesAfter - joulesBefore
        print("energy per inference on virtual-eval: \(inferences) inferences in \(window.endSeconds - window.startSeconds) s, measured \(energy.energyJoules) J, booked \(truth) J, bound \(energy.errorBoundJoules) J, coverage \(energy.coverageFraction)")
        #expect(window.endSeconds - window.startSeconds > 0.002, "the window spans many INA conversions")
        // The bound covers sampling; the 1% covers the INA226's own truncating arithmetic
        // (it reads this rail about 0.8% low, docs/evaluate.md).
        #expect(abs(energy.energyJoules - truth) <= energy.errorBoundJoules + 0.01 * truth,
                "measured \(energy.energyJoules) J, spent \(truth) J, bound \(energy.errorBoundJoules) J")
        #expect(energy.joulesPerInference > 0)
    }
}
