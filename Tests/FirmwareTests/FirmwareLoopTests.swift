import BoardSupport
import CIMEmulation
import CIMHAL
import CIMSimulator
import Foundation
import Testing
@testable import Firmware

/// The firmware on simulated and emulated boards, on their virtual clocks.
/// Hops are long (one inference a minute) where only the cadence matters:
/// these tests run unoptimised, where an inference costs ~100 ms.
@Suite("Firmware loop", .serialized)
struct FirmwareLoopTests {
    func options(minutes: Double, hopSeconds: Double, recalibration: Bool = true) -> KWSFirmware.Options {
        var o = KWSFirmware.Options()
        o.logging = false
        o.durationSeconds = minutes * 60
        o.hopSeconds = hopSeconds
        o.recalibration = recalibration
        return o
    }

    func stream() throws -> ClipSource { try ClipSource(path: Repository.stream, loop: true) }

    @Test func bootGoesThroughSelfTestProgramVerifyCalibrateInOrder() throws {
        let (firmware, log) = try KWSFirmware.make(try TestBoard("sim-rram-256.toml"))
        try firmware.boot()
        #expect(log.states == [.boot, .selfTest, .program, .verify, .calibrate])
        #expect(log.calibrations.map(\.reason) == [.boot])
        let runtime = try #require(firmware.runtime)
        #expect(runtime.programming.count == runtime.compiled.tilesUsed, "every tile of the plan programmed once")
        #expect(runtime.programming.count > 1)
    }

    @Test func calibrationRunsEveryFiveMinutes() throws {
        let (firmware, log) = try KWSFirmware.make(try TestBoard("sim-rram-256.toml"), options: options(minutes: 31, hopSeconds: 60))
        try firmware.boot()
        let start = try #require(log.calibrations.last).boardSeconds
        let summary = try firmware.run(audio: try stream()) { false }
        let periodic = log.calibrations.filter { $0.reason == .period }
        #expect(periodic.count == 6)
        for (k, c) in periodic.enumerated() {
            #expect(abs(c.boardSeconds - start - Double(k + 1) * 300) < 1, "calibration \(k + 1) at \(c.boardSeconds - start) s")
        }
        #expect(summary.inferences == 31)
        #expect(summary.stopReason == "duration reached")
        #expect(log.states.last == .stopped)
    }

    /// The die steps from 35 to 45 °C at 120 s: the next temperature check
    /// (every 10 s) forces a calibration; with recalibration off none comes.
    @Test(arguments: [true, false])
    func aTemperatureStepForcesACalibration(recalibration: Bool) throws {
        let board = try TestBoard("sim-rram-256.toml")
        let (firmware, log) = try KWSFirmware.make(board, options: options(minutes: 4, hopSeconds: 30, recalibration: recalibration))
        try firmware.boot()
        let simulation = try #require(board.board.capability(SimulatedMacro.self)?.accelerator)
        let stepAt = simulation.nowSeconds + 120
        simulation.thermal = .steps([.init(atSeconds: 0, celsius: 35), .init(atSeconds: stepAt, celsius: 45)])
        _ = try firmware.run(audio: try stream()) { false }
        let forced = log.calibrations.filter { $0.reason == .temperature }
        if recalibration {
            let first = try #require(forced.first)
            #expect(first.boardSeconds >= stepAt && first.boardSeconds <= stepAt + 10.5)
            #expect(abs(first.dieCelsius - 45) < 0.01)
            #expect(forced.count == 1, "one step, one forced calibration")
        } else {
            #expect(log.calibrations.count == 1, "only the boot calibration")
        }
    }

    @Test func busNACKsDuringTheRunAreRetriedAndTheRunCompletes() throws {
        let board = try TestBoard("virtual-eval.toml")
        let bus = try #require(board.board.capability(FaultInjection.self)?.emulatedBus)
        let (firmware, log) = try KWSFirmware.make(board, options: options(minutes: 2, hopSeconds: 20))
        try firmware.boot()
        // Refuse eight transactions in a row in the middle of the next
        // inference: more than the driver's own retries absorb, so the
        // firmware sees the NACKs and retries the inference with backoff.
        let n = bus.transactionCount
        bus.faults = (0..<8).map { .nackOnTransaction(n + 400 + $0) } + [.timeoutOnTransaction(n + 3000)]
        let summary = try firmware.run(audio: try stream()) { false }
        // The run lasts its two minutes of board time; how many inferences fit depends on the
        // emulated bus time each takes (6 or 7 here), not on the faults.
        #expect(summary.stopReason == "duration reached")
        #expect(summary.inferences >= 6, "\(summary.inferences) inferences")
        #expect(log.faults.contains { $0.kind == .busError && $0.recovered })
        #expect(log.states.last == .stopped)
    }

    @Test func aVanishedPowerMonitorFallsBackToTheEnergyModel() throws {
        let board = try TestBoard("virtual-eval.toml")
        let bus = try #require(board.board.capability(FaultInjection.self)?.emulatedBus)
        let (firmware, log) = try KWSFirmware.make(board, options: options(minutes: 1, hopSeconds: 10))
        try firmware.boot()
        bus.vanish(try I2CAddress(0x40))
        let summary = try firmware.run(audio: try stream()) { false }
        #expect(summary.energySource == "energy-model")
        let fault = try #require(log.faults.first { $0.kind == .powerMonitorLost })
        #expect(fault.recovered)
        // The run lasts its two minutes of board time; how many inferences fit depends on the
        // emulated bus time each takes (6 or 7 here), not on the faults.
        #expect(summary.stopReason == "duration reached")
        #expect(summary.inferences >= 6, "\(summary.inferences) inferences")
        #expect((summary.energyPerInferenceMedianJoules ?? 0) > 0)
    }

    /// 5% of tile 0's cells fail stuck at once: the tile check after the next
    /// periodic calibration sees its error jump, rewrites the tile, and — since
    /// a rewrite cannot move a stuck cell — redeploys around the new faults.
    @Test func aStuckCellBurstIsCaughtAndRepaired() throws {
        let board = try TestBoard("sim-rram-256.toml")
        let (firmware, log) = try KWSFirmware.make(board, options: options(minutes: 6, hopSeconds: 60))
        try firmware.boot()
        let simulation = try #require(board.board.capability(SimulatedMacro.self)?.accelerator)
        let failed = try simulation.injectStuckCells(tile: 0, rate: 0.05, seed: 9)
        #expect(failed > 1000)
        let summary = try firmware.run(audio: try stream()) { false }
        let fault = try #require(log.faults.first { $0.kind == .tileError })
        #expect(fault.recovered)
        #expect(summary.tileReprograms >= 1)
        #expect(summary.redeployments >= 1)
        // After the repair every tile is back within its bound of the new baseline.
        #expect(log.faults.filter { $0.kind == .tileError }.count == 1)
        let health = try #require(firmware.runtime).tileHealth()
        for tile in health {
            #expect(tile.errorRelative <= (firmware.baselineTileError[tile.tile] ?? 0) + firmware.image.manifest.verify.tileErrorBoundRelative)
        }
    }

    @Test func aTaskOverrunningTheWatchdogIsAFault() throws {
        var image = try Repository.firmwareImage()
        image.manifest.watchdog.timeoutMilliseconds = 0  // every task takes some board time: each one overruns
        let board = try TestBoard("sim-rram-256.toml")
        let log = EventLog()
        var o = options(minutes: 6, hopSeconds: 60)
        o.logging = false
        let firmware = KWSFirmware(image: image, devices: board.devices, options: o) { log.events.append($0) }
        try firmware.boot()
        _ = try firmware.run(audio: try stream()) { false }
        let watchdog = log.faults.filter { $0.kind == .watchdog }
        #expect(!watchdog.isEmpty)
        #expect(watchdog.contains { $0.message.contains("task inference") })
        #expect(watchdog.contains { $0.message.contains("task calibration") })
    }

    @Test func aStopRequestEndsTheRunCleanly() throws {
        let (firmware, log) = try KWSFirmware.make(try TestBoard("sim-rram-256.toml"), options: options(minutes: 60, hopSeconds: 60))
        try firmware.boot()
        var asked = 0
        let summary = try firmware.run(audio: try stream()) { asked += 1; return asked > 8 }
        #expect(summary.inferences < 10)
        #expect(summary.stopReason.hasPrefix("stopped"))
        #expect(log.states.last == .stopped)
    }

    /// The product as shipped: every keyword of the bundled stream is found
    /// on the simulated RRAM board. The detector is tuned on real speech
    /// (docs/keyword-spotting.md: recall on real keyword streams, false alarms
    /// per hour of real background noise); on this synthetic stream it fires
    /// twice where it should not: a second keyword on one spoken "no", and
    /// "right" on "five".
    @Test func theBundledStreamsKeywordsAreDetected() throws {
        var o = KWSFirmware.Options()
        o.logging = false
        let (firmware, log) = try KWSFirmware.make(try TestBoard("sim-rram-256.toml"), options: o)
        try firmware.boot()
        let summary = try firmware.run(audio: try ClipSource(path: Repository.stream)) { false }
        #expect(summary.stopReason == "the audio ended")
        let labels = try #require(try StreamLabels.load(besides: Repository.stream))
        let score = StreamScore(labels: labels, detections: log.detections, streamSeconds: summary.streamSeconds)
        #expect(score.keywords == 20)
        #expect(score.found == 20, "found \(score.found) of \(score.keywords)")
        #expect(score.falseAlarms <= 2)
    }
}
