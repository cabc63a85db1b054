import BoardSupport
import CIMHAL
import CIMSimulator
import Foundation
import KWS
@testable import Firmware

/// The shipped firmware image and board files, found from this file's path.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let image = root.appendingPathComponent("firmware/kws-gru")
    static let stream = image.appendingPathComponent("stream/stream.wav").path
    static func board(_ name: String) -> String { root.appendingPathComponent("boards/\(name)").path }

    /// Loaded once: importing the model and featurising the verify clips is the slow part.
    nonisolated(unsafe) static var loadedImage: FirmwareImage?
    static func firmwareImage() throws -> FirmwareImage {
        if let loadedImage { return loadedImage }
        let image = try FirmwareImage.load(directory: Self.image)
        loadedImage = image
        return image
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-fw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A board opened from a file (optionally edited first) and its firmware view.
struct TestBoard {
    let board: Board
    let devices: BoardDevices

    init(_ file: String, edit: (inout SimulatorConfiguration) -> Void = { _ in }) throws {
        var description = try BoardFile.load(path: Repository.board(file))
        switch description {
        case .simulated(var c):
            edit(&c)
            description = .simulated(c)
        case .hardware(var c):
            if var s = c.simulation { edit(&s); c.simulation = s }
            description = .hardware(c)
        }
        board = try Board.open(description)
        devices = board.devices
    }
}

/// Collects what the firmware reports.
final class EventLog {
    var events: [KWSFirmware.Event] = []
    var calibrations: [CalibrationRecord] { events.compactMap { if case .calibration(let c) = $0 { c } else { nil } } }
    var faults: [FaultRecord] { events.compactMap { if case .fault(let f) = $0 { f } else { nil } } }
    var detections: [Detection] { events.compactMap { if case .detection(let d) = $0 { d } else { nil } } }
    var states: [FirmwareState] { events.compactMap { if case .state(let s, _, _) = $0 { s } else { nil } } }
}

extension KWSFirmware {
    /// A firmware on `board` with its events collected, no log unless asked.
    static func make(_ board: TestBoard, options: Options = { var o = Options(); o.logging = false; return o }()) throws -> (KWSFirmware, EventLog) {
        let log = EventLog()
        let firmware = KWSFirmware(image: try Repository.firmwareImage(), devices: board.devices, options: options) { log.events.append($0) }
        return (firmware, log)
    }
}
