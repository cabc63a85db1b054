#if canImport(Glibc)
import Glibc
#endif
import BoardSupport
import CIMEmulation
import CIMHAL
import CIMSimulator
import Evaluation
import Firmware
import Foundation
import KWS

/// Every parser that takes bytes from outside — a file, a bus, stdin — as
/// a libFuzzer target. Each must turn any input into a value or a typed
/// error: a trap, an overflow or an out-of-bounds access is a bug, and
/// AddressSanitizer reports it. Inputs that need a path are written to one
/// scratch file per target.
enum FuzzTarget: String, CaseIterable {
    case boardFile = "board-file"
    case manifest
    case wav
    case onnx
    case evalProtocol = "eval-protocol"
    case csvRepair = "csv-repair"
    case stdinPCM = "stdin-pcm"
    case sweepSpec = "sweep-spec"
    case onChipProgram = "on-chip-program"

    /// A scratch directory per process: libFuzzer's workers (-jobs) do not share one.
    static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // The manifest names a model and a normalisation file that must exist.
        FileManager.default.createFile(atPath: url.appendingPathComponent("model.onnx").path, contents: Data())
        FileManager.default.createFile(atPath: url.appendingPathComponent("normalisation.json").path, contents: Data())
        return url
    }()

    func scratchFile(_ name: String, _ data: Data) -> String {
        let path = Self.scratch.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: data)
        return path
    }

    /// Runs one input. The result is discarded: only a crash matters.
    func run(_ data: Data) {
        switch self {
        case .boardFile:
            _ = try? BoardFile.load(path: scratchFile("board.toml", data))
        case .manifest:
            _ = try? FirmwareManifest.load(path: scratchFile("firmware.toml", data))
        case .wav:
            _ = try? AudioFile.read(path: scratchFile("clip.wav", data))
        case .onnx:
            _ = try? ONNXImporter.load(data: data, file: "fuzz.onnx")
        case .sweepSpec:
            // Expansion too: the axes' product and each point's board text come from the file.
            if let spec = try? SweepSpec.load(path: scratchFile("sweep.toml", data)) { _ = try? SweepPlan.expand(spec) }
        case .evalProtocol:
            EvalProtocolSession.run(data)
        case .onChipProgram:
            OnChipProgramRun.run(data)
        case .csvRepair:
            let path = scratchFile("log.csv", data)
            if let log = try? CSVLogWriter(path: path, header: ["time_s", "keyword", "energy_j"], flushIntervalSeconds: 5,
                                           rotateBytes: 1 << 16, keepRotated: 1) {
                _ = try? log.append(["1", "yes", "2"], nowSeconds: 0)
                _ = try? log.close()
            }
            _ = try? CSVLogReader(bytes: data, path: "fuzz.csv")
        case .stdinPCM:
            let path = scratchFile("stdin.raw", data)
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return }
            let source = RawPCMSource(fileDescriptor: fd, name: "stdin", closesDescriptor: true)
            var buffer = [Float](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBufferPointer { (try? source.read(into: $0)) ?? 0 }
                if n == 0 { break }
            }
            source.close()
        }
    }
}

/// The eval board's device side driven by arbitrary bytes, as a hostile or
/// broken host would: each record is a kind byte (even: write, odd: read),
/// a length byte, then for a write that many bytes. A fresh small board per
/// input, so one input's effects never leak into the next.
enum EvalProtocolSession {
    static func run(_ data: Data) {
        let clock = VirtualClock()
        let chip = VirtualGPIOChip(clock: clock)
        chip.addLine("RESET", level: .high)
        chip.addLine("READY", level: .high)
        guard let accelerator = try? SimulatedAccelerator(configuration: .ideal(rows: 8, columns: 4, tiles: 2)),
              let address = try? I2CAddress(0x2C),
              let model = try? EvalBoardModel(accelerator: accelerator, address: address, chip: chip, clock: clock, maxBatch: 2)
        else { return }
        // With a sequencer: program-and-run's registers and commands (1.4) are reached too.
        model.sequencer = ProgramSequencer(accelerator: accelerator)
        let bytes = [UInt8](data)
        var i = 0
        while i + 1 < bytes.count {
            let kind = bytes[i], length = Int(bytes[i + 1])
            i += 2
            if kind & 1 == 0 {
                let end = min(bytes.count, i + length)
                _ = try? model.receive(Array(bytes[i..<end]))
                i = end
            } else {
                _ = try? model.transmit(count: length % 40)
            }
            // RESET now and then, as a host recovering a hung board would.
            if kind == 0xFF {
                try? chip.drive("RESET", to: .low)
                try? chip.drive("RESET", to: .high)
            }
        }
    }
}

/// A program as a board's sequencer receives it over the bus: decoded for a
/// small ideal chip and, when it passes the checks, run once on it (tiles
/// never programmed, features all zero): a program that decodes must not
/// crash the runtime either.
enum OnChipProgramRun {
    static let configuration = SimulatorConfiguration.ideal(rows: 64, columns: 64, tiles: 8)

    static func run(_ data: Data) {
        guard let program = try? OnChipProgram.decode([UInt8](data), for: configuration.geometry),
              let accelerator = try? SimulatedAccelerator(configuration: configuration),
              let runtime = try? AcceleratorRuntime(program: program, accelerator: accelerator) else { return }
        let model = program.compiled.model
        let frames = [Float](repeating: 0, count: model.frameSize * (model.fixedFrames ?? 2))
        var outputs = [Float](repeating: 0, count: model.outputs)
        frames.withUnsafeBufferPointer { f in outputs.withUnsafeMutableBufferPointer { _ = try? runtime.classify(f, into: $0) } }
    }
}
