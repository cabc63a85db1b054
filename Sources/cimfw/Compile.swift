import ArgumentParser
import BoardSupport
import CIMHAL
import CIMSimulator
import Foundation
import KWS

struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Map a keyword-spotting firmware image onto a board's tiles and print the tile plan and its on-chip schedule.")

    @Argument(help: "Firmware image directory (model.onnx, normalisation.json).")
    var firmware: String = "firmware/kws-gru"

    @OptionGroup var board: BoardOption

    func run() throws {
        let session = try KWSSession(firmware: firmware, boardPath: board.path, seed: nil)
        let c = session.compiled, g = c.geometry, model = c.model, frames = session.image.imported.frames
        print("model   \(firmware)/model.onnx: \(model.summary); \(frames) frames per inference")
        print("board   \(board.path): \(session.board.name), \(g.tiles) tiles of \(g.rows)x\(g.columns), DAC \(g.dacBits) bit, ADC \(g.adcBits) bit, "
              + "\(g.weightBits)-bit weights as differential pairs, \(g.columnsPerADC) columns per ADC")
        if model.recurrentLayer != nil {
            print("inputs  frames ÷ \(format(Double(c.frameFullScale), 1)) → \(g.dacBits)-bit DAC codes (an MVM whose largest input exceeds full scale is scaled down whole); bias rows driven at full scale")
        } else {
            print("inputs  frames as a 1x\(frames)x\(model.frameSize) image; each MVM's inputs scaled by the largest to the \(g.dacBits)-bit DAC's full scale; bias rows driven at full scale")
        }
        if model.layers.contains(where: { if case .convolution = $0 { true } else { false } }) {
            print("convs   weight-stationary im2col: a kernel is one matrix (rows: input channels x kernel height x width, then bias; "
                  + "columns: output channels) multiplied once per output position; a depthwise kernel over C channels is block-diagonal (one cell in C holds a weight)")
        }
        print("")
        print("matrix          rows (data + bias)   columns   blocks (rows x cols)   applied per inference")
        for (n, m) in c.matrices.enumerated() {
            let pieces = c.pieces.filter { $0.matrix == n }
            let rowBlocks = Set(pieces.map(\.rowStart)).count, columnBlocks = Set(pieces.map(\.columnStart)).count
            print(pad(m.name, 16) + pad("\(m.rows) (\(m.dataRows) + \(m.biasRows))", 21) + pad("\(m.outputs)", 10)
                  + pad("\(rowBlocks) x \(columnBlocks)", 23) + "\(model.applications(ofLayer: m.role.layer, frames: frames))")
        }
        print("")
        print("tile   matrix          rows         columns      cells used")
        for p in c.pieces {
            let used = Double(p.rowCount * p.columnCount) / Double(g.rows * g.columns)
            print(pad("\(p.tile)", 7) + pad(c.matrices[p.matrix].name, 16) + pad("\(p.rowStart)..<\(p.rowStart + p.rowCount)", 13)
                  + pad("\(p.columnStart)..<\(p.columnStart + p.columnCount)", 13) + "\(format(100 * used))%")
        }
        print("")
        print("tiles used        \(c.tilesUsed) of \(g.tiles)")
        print("utilisation       \(format(100 * c.utilisation))% of the used tiles' cells")
        print("per inference     \(c.tileMultipliesPerInference(frames: frames)) tile MVMs, \(c.modelMACsPerInference(frames: frames)) model MACs")
        if let energyModel = session.board.capability(EnergyAccount.self) {
            // Expected energy: one inference of a silent second on the board's energy model.
            let runtime = try session.deploy(faultScan: false, calibrate: false).runtime
            let before = energyModel.energyTotals
            var probabilities = [Float](repeating: 0, count: model.outputs)
            let silence = [Float](repeating: 0, count: frames * model.frameSize)
            try silence.withUnsafeBufferPointer { (x) throws(HALError) in
                try probabilities.withUnsafeMutableBufferPointer { (p) throws(HALError) in try runtime.classify(x, into: p) }
            }
            let after = energyModel.energyTotals
            let core = after.coreJoules - before.coreJoules
            let board = after.boardJoules - before.boardJoules
            let seconds = after.seconds - before.seconds
            print("energy            core \(engineering(core, "J")), board \(engineering(board, "J")) per inference (energy model, silent input)")
            print("accelerator time  \(engineering(seconds, "s")) per inference (array and host link, modelled)")
        } else {
            print("energy            not modelled on this board: measure it with `cimfw power` around inferences")
        }
        printSchedule(session, frames: frames)
    }

    /// The same plan sequenced by the chip itself, on the board file's `[execution]` resources.
    private func printSchedule(_ session: KWSSession, frames: Int) {
        guard let chip = session.board.accelerator as? SimulatedAccelerator else {
            print("on-chip schedule  needs the chip's timing: a simulated board")
            return
        }
        let c = chip.configuration, compiled = session.compiled
        let schedule = OnChipSchedule.plan(compiled, frames: frames, sequencer: c.execution.sequencer, mvmSeconds: chip.secondsPerMVM.array,
                                           hostLinkBytesPerSecond: c.energy.hostLinkBytesPerSecond)
        let running = c.execution.model == "on_chip" ? "the board runs this ([execution] model = \"on_chip\")"
            : "what this board would do with [execution] model = \"on_chip\"; it runs host-driven"
        let macs = Double(compiled.modelMACsPerInference(frames: frames))
        print("")
        print("on-chip schedule  \(running)")
        print("  latency         \(engineering(schedule.secondsPerInference, "s")) per inference, \(schedule.programSteps) program steps")
        print("  host link       \(engineering(schedule.hostLinkSeconds, "s")) (\(schedule.hostLinkBytes) bytes: features in, outputs out)")
        print("  arrays          \(engineering(schedule.arrayBusySeconds, "s")) busy over all tiles (\(schedule.tileMultiplies) tile MVMs of \(engineering(chip.secondsPerMVM.array, "s")); pieces of one matrix convert at once)")
        print("  periphery       \(engineering(schedule.peripheryBusySeconds, "s")) (\(schedule.peripheryOperations) operations on \(c.execution.sequencer.peripheryLanes) lanes at \(format(c.execution.sequencer.peripheryClockHertz / 1e6, 0)) MHz)")
        print("  on-chip bus     \(engineering(schedule.busBusySeconds, "s")) (\(schedule.busBytes) bytes of codes)")
        print("  throughput      \(format(schedule.inferencesPerSecond, 0)) inferences/s with \(schedule.replicas) \(schedule.replicas == 1 ? "copy" : "copies") of the plan on \(compiled.geometry.tiles) tiles, \(engineering(2 * macs * schedule.inferencesPerSecond / 1e12, "TOPS")) effective")
        print("  energy added    periphery \(engineering(schedule.peripheryJoules, "J")), buffers \(engineering(schedule.bufferJoules, "J")), control \(engineering(schedule.controlJoules, "J")) per inference")
    }
}
