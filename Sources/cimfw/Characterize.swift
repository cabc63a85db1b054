import ArgumentParser
import BoardSupport
import CIMHAL
import CIMSimulator
import Foundation

struct Characterize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a simulated board: MVM error (total and per effect, before and after calibration), programming, energy, throughput.")

    @OptionGroup var board: BoardOption
    @OptionGroup var seed: SeedOption

    @Option(help: "Random test vectors per measurement.")
    var vectors: Int = 64

    @Option(help: "Seconds between programming and measurement (drift acts over this time).")
    var ageSeconds: Double = 3600

    @OptionGroup var json: JSONOption

    func validate() throws {
        guard vectors >= 1 && vectors <= 100_000 else {
            throw ValidationError("--vectors \(vectors) is outside 1...100000")
        }
        guard ageSeconds >= 0 && ageSeconds.isFinite else {
            throw ValidationError("--age-seconds \(ageSeconds) must be a finite number ≥ 0")
        }
    }

    func run() throws {
        var configuration = try BoardFile.loadSimulated(path: board.path)
        if let seed = seed.value { configuration.seed = seed }
        let report: CharacterizationReport
        do {
            report = try Characterization(configuration: configuration, testVectors: vectors, ageSeconds: ageSeconds).report()
        } catch {
            throw CLIError.failure("\(board.path): characterisation failed: \(error)")
        }
        if json.isOn {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(report)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(CharacterizationText.render(report, boardPath: board.path))
        }
    }
}
