import ArgumentParser
import BoardSupport
import CIMHAL
import Foundation
import KWS

struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Map a keyword-spotting firmware image onto a board's tiles and print the tile plan.")

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
    }
}
