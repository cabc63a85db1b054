import BoardSupport
import Foundation
import Testing
@testable import Evaluation

/// Boards measured at once give the report one at a time gives: the same
/// boards in the same order with the same numbers (only the wall-clock
/// porting times differ), and the first failing board's error.
@Suite struct ParallelBoardsTests {
    let provenance = Provenance(version: "test", generatedAt: "2026-01-01T00:00:00.000Z", firmware: "firmware/kws-gru",
                                model: "", seed: nil, host: "test", command: "test")

    /// Every metric but temperature and drift, on 8 clips: the threads are what is under test.
    static var settings: EvaluationSettings {
        var s = Fixture.smallSettings
        s.clipLimit = 8
        s.energyRuns = 1
        s.temperaturesCelsius = []
        s.driftAges = []
        return s
    }

    /// Three boards that differ (ADC bits, seed), so a mix-up between threads would show.
    func boards(failing: Int? = nil) throws -> [BoardEvaluator] {
        let (image, _) = try Fixture.imageAndClips()
        let settings = Self.settings
        let configurations = [try Fixture.rram(), try Fixture.rram { $0.adc.bits = 8 }, try Fixture.rram { $0.seed = 7 }]
        return configurations.enumerated().map { n, c in
            let open: () throws(MeasurementFailure) -> Board = n == failing
                ? { () throws(MeasurementFailure) -> Board in throw .deployment(reason: "board \(n) cannot be opened") }
                : Fixture.opener(c)
            return BoardEvaluator(boardFile: "board-\(n).toml", seed: c.seed, image: image, settings: settings, open: open)
        }
    }

    /// The report as JSON without the wall-clock porting times.
    func seededNumbers(_ report: EvaluationReport) throws -> [String] {
        try report.boards.map { board in
            var b = board
            b.porting.compileSeconds = 0
            b.porting.faultScanAndProgramSeconds = 0
            b.porting.calibrateSeconds = 0
            b.porting.totalPortSeconds = 0
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return String(decoding: try encoder.encode(b), as: UTF8.self)
        }
    }

    @Test func threeBoardsOnTwoThreadsGiveTheReportOfOneAtATime() throws {
        let (image, set) = try Fixture.imageAndClips()
        let evaluator = try Evaluator(image: image, testSet: set, settings: Self.settings)
        let baseline = try evaluator.baseline(host: "test")
        let oneAtATime = try evaluator.run(boards: try boards(), provenance: provenance, measuredBaseline: baseline, jobs: 1) { _, _ in }
        var messages: [Int: Int] = [:]
        let together = try evaluator.run(boards: try boards(), provenance: provenance, measuredBaseline: baseline, jobs: 2) { board, _ in
            messages[board, default: 0] += 1
        }
        #expect(together.boards.map(\.boardFile) == ["board-0.toml", "board-1.toml", "board-2.toml"])
        #expect(try seededNumbers(together) == seededNumbers(oneAtATime))
        #expect(Set(messages.keys) == [0, 1, 2], "every board reports its progress")
    }

    @Test func theFirstFailingBoardInOrderIsTheErrorThrown() throws {
        let (image, set) = try Fixture.imageAndClips()
        let evaluator = try Evaluator(image: image, testSet: set, settings: Self.settings)
        let baseline = try evaluator.baseline(host: "test")
        do {
            _ = try evaluator.run(boards: try boards(failing: 1), provenance: provenance, measuredBaseline: baseline, jobs: 3) { _, _ in }
            Issue.record("an evaluation with a board that cannot be opened succeeded")
        } catch {
            #expect("\(error)".contains("board-1.toml") && "\(error)".contains("board 1 cannot be opened"), "\(error)")
        }
    }
}
