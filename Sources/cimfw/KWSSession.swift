import BoardSupport
import CIMHAL
import CIMSimulator
import Foundation
import KWS

/// The steps every keyword-spotting command shares: load the firmware
/// image and the board, compile, program, calibrate.
struct KWSSession {
    let image: KWSImage
    let board: Board
    let boardPath: String
    let compiled: CompiledModel

    init(firmware: String, boardPath: String, seed: UInt64?) throws {
        image = try KWSImage.load(directory: URL(fileURLWithPath: firmware))
        board = try openBoard(boardPath, seed: seed)
        self.boardPath = boardPath
        do {
            compiled = try TileCompiler.compile(image.model, for: board.accelerator.geometry)
        } catch {
            throw CLIError("\(firmware) on \(boardPath): \(error)")
        }
    }

    /// Scans the tiles the plan uses for stuck cells (unless told not to)
    /// and maps around them, programs with the board's write-verify policy
    /// and calibrates every tile.
    func deploy(faultScan: Bool = true, calibrate: Bool = true, options: TileCompiler.Options = .init()) throws -> ModelDeployment {
        do {
            return try ModelDeployment.deploy(image.model, on: board.accelerator, policy: board.programmingPolicy,
                                              calibration: calibrate ? board.calibrationMethod : nil, faultScan: faultScan,
                                              options: options)
        } catch {
            throw CLIError.failure("\(boardPath): deploying the model failed: \(error)")
        }
    }
}

/// Opens a board file, with `seed` (when given) in place of the file's seed,
/// also for the simulated macro behind an emulated board, and a simulated
/// chip running `execution` (one of `ExecutionSettings.models`) when given:
/// its name then says which.
func openBoard(_ path: String, seed: UInt64?, execution: String? = nil) throws -> Board {
    var description = try BoardFile.load(path: path)
    if let execution {
        let suffix = execution == "on_chip" ? " (on chip)" : " (host-driven)"
        switch description {
        case .simulated(var c):
            c.execution.model = execution
            c.name += suffix
            description = .simulated(c)
        case .hardware(var c):
            // An emulated board: its macro's model decides whether the board has a sequencer.
            c.simulation?.execution.model = execution
            c.name += suffix
            description = .hardware(c)
        }
    }
    if let seed {
        switch description {
        case .simulated(var c):
            c.seed = seed
            description = .simulated(c)
        case .hardware(var c):
            c.simulation?.seed = seed
            description = .hardware(c)
        }
    }
    do { return try Board.open(description) } catch { throw CLIError("\(path): cannot open the board: \(error)") }
}

/// `s` left-aligned in a column of `width`, with at least one space after it.
func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }

func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

func engineering(_ value: Double, _ unit: String) -> String {
    let scales: [(Double, String)] = [(1, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p")]
    for (scale, prefix) in scales where abs(value) >= scale { return "\(format(value / scale, 3)) \(prefix)\(unit)" }
    return "\(format(value / 1e-12, 3)) p\(unit)"
}
