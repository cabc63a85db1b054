import ArgumentParser
import BoardSupport
import CIMHAL
import Firmware
import Foundation
import KWS

struct Accuracy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Keyword accuracy of a firmware image on a board against its float model, per test split, with time and energy per inference.")

    @OptionGroup var options: SessionOptions

    @Option(help: "Labelled clips (manifest.json + WAVs); defaults to the image's test clips (firmware.test in its manifest, else test/).")
    var clips: String?

    @Flag(help: "Skip calibration after programming (to see what it buys).")
    var noCalibration = false

    @Flag(help: "Skip the stuck-cell scan and fault-aware placement (to see what it buys).")
    var noFaultScan = false

    @Option(help: "Copies of each frame input on the rows (the compiler's default unless given).")
    var inputReplicas: Int?

    @Option(help: BatchHelp.help(default: 1))
    var batch = 1

    @OptionGroup var json: JSONOption

    struct Report: Codable {
        var board: String
        var firmware: String
        var seed: UInt64?
        var batch: Int
        var calibrated: Bool
        var faultScan: Bool
        var stuckOnPairsFound: Int
        var stuckOffPairsFound: Int
        var digitalWeights: Int
        var stuckOnPairsUsed: Int
        var float: [SplitAccuracy]
        var accelerator: [SplitAccuracy]
        var agreement: Double
        var tilesUsed: Int
        var programmingRMSErrorRelative: Double
        var cellsOutsideTolerance: Int
        var medianHostMicrosecondsPerInference: Double
        var coreJoulesPerInference: Double?
        var boardJoulesPerInference: Double?
        var acceleratorSecondsPerInference: Double?
    }

    func validate() throws {
        try BatchHelp.validate(batch)
    }

    func run() throws {
        let session = try options.session()
        let firmware = options.firmware.directory, board = options.board.path, seed = options.seed.value
        let set: TestSet
        do {
            set = try TestSet.load(directory: URL(fileURLWithPath: try clips ?? FirmwareManifest.testDirectory(ofImage: firmware)),
                                   normalisation: session.image.normalisation, classes: session.image.model.outputs)
        } catch {
            throw CLIError("\(error)")
        }
        let reference = try KeywordSpotter(backend: .float(FloatRuntime(model: session.image.model)), normalisation: session.image.normalisation)
        let floatPredictions = try reference.predictions(set)
        var options = TileCompiler.Options()
        if let inputReplicas {
            guard (1...256).contains(inputReplicas) else { throw CLIError("--input-replicas \(inputReplicas) is outside 1...256") }
            options.maxInputReplicas = inputReplicas
        }
        let deployment = try session.deploy(faultScan: !noFaultScan, calibrate: !noCalibration, options: options)
        let runtime = deployment.runtime
        let spotter = try KeywordSpotter(backend: .accelerator(runtime), normalisation: session.image.normalisation)
        // Per-clip timing on the host clock; energy from the ledger when simulated.
        let energyModel = session.board.capability(EnergyAccount.self)
        let totalsBefore = energyModel?.energyTotals
        var micros: [Double] = []
        let predictions = try spotter.predictions(set, batch: batch, hostMicroseconds: &micros)
        let agreement = Double(zip(predictions, floatPredictions).filter { $0 == $1 }.count) / Double(max(1, set.clips.count))
        let reports = runtime.programming
        let cells = reports.reduce(0) { $0 + $1.cellsProgrammed }
        var report = Report(
            board: board, firmware: firmware, seed: seed, batch: batch, calibrated: !noCalibration, faultScan: !noFaultScan,
            stuckOnPairsFound: deployment.faultMaps.reduce(0) { $0 + $1.stuckOnPairs },
            stuckOffPairsFound: deployment.faultMaps.reduce(0) { $0 + $1.stuckOffPairs },
            digitalWeights: runtime.compiled.digitalWeights, stuckOnPairsUsed: runtime.compiled.stuckOnPairsUsed,
            float: SplitAccuracy.tally(set, predictions: floatPredictions),
            accelerator: SplitAccuracy.tally(set, predictions: predictions), agreement: agreement,
            tilesUsed: session.compiled.tilesUsed,
            programmingRMSErrorRelative: (reports.reduce(0) { $0 + $1.rmsErrorRelative * $1.rmsErrorRelative * Double($1.cellsProgrammed) } / Double(max(1, cells))).squareRoot(),
            cellsOutsideTolerance: reports.reduce(0) { $0 + $1.cellsOutsideTolerance },
            medianHostMicrosecondsPerInference: micros.sorted()[micros.count / 2])
        if let before = totalsBefore, let after = energyModel?.energyTotals {
            let n = Double(set.clips.count)
            report.coreJoulesPerInference = (after.coreJoules - before.coreJoules) / n
            report.boardJoulesPerInference = (after.boardJoules - before.boardJoules) / n
            report.acceleratorSecondsPerInference = (after.seconds - before.seconds) / n
        }
        if json.isOn {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("\(firmware) on \(board)\(seed.map { " (seed \($0))" } ?? ""): \(report.tilesUsed) tiles, write-verify, \(noCalibration ? "no calibration" : "calibrated")\(batch > 1 ? ", \(batch) clips per batch" : "")")
        if !noFaultScan {
            print("fault scan             \(report.stuckOnPairsFound) stuck-on and \(report.stuckOffPairsFound) stuck-off pairs found; \(report.stuckOnPairsUsed) stuck-on left under the model, \(report.digitalWeights) weights moved to digital")
        }
        print("split            clips   float     accelerator   gap (points)")
        for (f, a) in zip(report.float, report.accelerator) {
            print(pad(f.split, 17) + pad("\(f.clips)", 8) + pad("\(format(100 * f.accuracy))%", 10)
                  + pad("\(format(100 * a.accuracy))%", 14)
                  + format(100 * (f.accuracy - a.accuracy)))
        }
        print("agreement with float   \(format(100 * agreement))% of clips get the same class")
        print("programming            RMS error \(format(100 * report.programmingRMSErrorRelative, 2))% of range, \(report.cellsOutsideTolerance) cells outside tolerance")
        print("host time              \(format(report.medianHostMicrosecondsPerInference, 0)) µs per inference (median, the model from features)")
        if let core = report.coreJoulesPerInference, let total = report.boardJoulesPerInference, let t = report.acceleratorSecondsPerInference {
            print("energy                 core \(engineering(core, "J")), board \(engineering(total, "J")) per inference; accelerator time \(engineering(t, "s"))")
        }
    }
}
