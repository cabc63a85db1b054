import BoardSupport
import CIMSimulator
import Foundation
import KWS
@testable import Evaluation

/// The shipped image, a few of its test clips, and boards built in code.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let imageDirectory = root.appendingPathComponent("firmware/kws-gru")
    static func boardFile(_ name: String) -> String { root.appendingPathComponent("boards/\(name)").path }

    nonisolated(unsafe) static var loaded: (KWSImage, TestSet)?
    /// The image and 24 of its clips (every tenth: both splits, every class), loaded once.
    static func imageAndClips() throws -> (KWSImage, TestSet) {
        if let loaded { return loaded }
        let image = try KWSImage.load(directory: imageDirectory)
        let set = try TestSet.load(directory: imageDirectory.appendingPathComponent("test"), normalisation: image.normalisation,
                                   classes: image.model.outputs, including: { index, _ in index % 10 == 0 })
        loaded = (image, set)
        return (image, set)
    }

    /// sim-rram-256's configuration, edited.
    static func rram(_ edit: (inout SimulatorConfiguration) -> Void = { _ in }) throws -> SimulatorConfiguration {
        guard case var .simulated(c) = try BoardFile.load(path: boardFile("sim-rram-256.toml")) else {
            throw EvaluationError.invalidSetting("sim-rram-256 is not a simulated board")
        }
        edit(&c)
        return c
    }

    static func opener(_ configuration: SimulatorConfiguration) -> () throws(MeasurementFailure) -> Board {
        { () throws(MeasurementFailure) -> Board in
            do { return try Board.open(.simulated(configuration)) } catch {
                throw .deployment(reason: "\(configuration.name): \(error)")
            }
        }
    }

    /// A small evaluation: every metric, few clips, short runs.
    static var smallSettings: EvaluationSettings {
        var s = EvaluationSettings.quickRun
        s.clipLimit = nil
        s.energyRuns = 3
        s.minimumRunSeconds = 0.005
        s.temperaturesCelsius = [25, 60]
        s.driftAges = [.init(label: "1 hour", seconds: 3600)]
        s.arrayErrorBlocks = 2
        s.arrayErrorVectors = 2
        return s
    }
}
