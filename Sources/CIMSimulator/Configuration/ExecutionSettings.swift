import CIMHAL

/// The board file's `[execution]` table: whether the host drives every tile
/// multiply over its link (`host_driven`, the default: an eval board over
/// I2C) or the chip sequences whole layers itself (`on_chip`), and the
/// on-chip resources a compiler schedules onto (`OnChipSequencer`).
///
/// Defaults, used when a board file leaves a key out:
/// - periphery: 64 lanes at 200 MHz, 1 pJ per operation. A 16-bit
///   fixed-point multiply-add in 45 nm is ~1 pJ (Horowitz, "Computing's
///   energy problem", ISSCC 2014: 16-bit multiply ~0.6–1 pJ between the 8-
///   and 32-bit figures of 0.2 and 3.1 pJ, 16-bit add 0.05 pJ) plus operand
///   register traffic;
/// - buffers: 2.5 pJ per byte, an 8 KB SRAM's 10 pJ per 64-bit read (same
///   table) for the write and the read of each byte;
/// - bus: 8 GB/s on chip (64 bits per cycle at the periphery clock's 1 GHz
///   class of on-chip interconnect; an assumption, not a measured figure);
/// - sequencer: 5 ns per program step (one periphery cycle to fetch and
///   one to issue at 200 MHz, rounded up) and 10 pJ (one 64-bit word read
///   from an 8 KB program SRAM, Horowitz's table; decode logic beside it
///   is small);
/// - weight replication on.
public struct ExecutionSettings: Sendable, Hashable, Codable {
    public var model: String
    /// The chip can run either model (a sequencer with a host-driven
    /// bypass): `cimfw evaluate` then measures it both ways, side by side;
    /// every other command runs `model`.
    public var bothModels: Bool = false
    /// The on-chip resources, whichever model the board runs (a compiler
    /// compares the two).
    public var sequencer: OnChipSequencer

    public static let models = ["host_driven", "on_chip"]

    public init(model: String, sequencer: OnChipSequencer) {
        self.model = model
        self.sequencer = sequencer
    }

    /// Host-driven, with the default on-chip resources.
    public static let hostDriven = ExecutionSettings(model: "host_driven", sequencer: OnChipSequencer(
        peripheryLanes: 64, peripheryClockHertz: 200e6, peripheryJoulesPerOperation: 1e-12,
        bufferJoulesPerByte: 2.5e-12, busBytesPerSecond: 8e9, stepSeconds: 5e-9, stepJoules: 10e-12, replicatesWeights: true))

    public var executionModel: ExecutionModel { model == "on_chip" ? .onChip(sequencer) : .hostDriven }

    /// The models a buyer's evaluation measures: `model`, or both when the chip can run both.
    public var modelsToEvaluate: [String] { bothModels ? Self.models : [model] }

    /// What one host-driven tile multiply spends on the chip's digital side:
    /// its input codes into the buffers and its output codes out of them,
    /// and one command decoded by the controller (a program step's energy).
    /// `columns` counts every converted column, a reference column's too:
    /// its code is buffered for drift tracking though the host link never carries it.
    public func commandEnergy(rows: Int, columns: Int, dacBits: Int, adcBits: Int) -> MVMEnergy {
        let bytes = rows * ((dacBits + 7) / 8) + columns * ((adcBits + 7) / 8)
        return MVMEnergy(bufferJoules: Double(bytes) * sequencer.bufferJoulesPerByte, controlJoules: sequencer.stepJoules)
    }
}

extension ExecutionSettings: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = {
        let d = ExecutionSettings.hostDriven.sequencer
        return [
            .init("model", .choice(\.model, options: models), optional: .choice(ExecutionSettings.hostDriven.model)),
            .init("both_models", .flag(\.bothModels), optional: .flag(false)),
            .init("periphery_lanes", .integer(\.sequencer.peripheryLanes, range: 1...65_536), optional: .integer(d.peripheryLanes)),
            .init("periphery_clock_megahertz", .real(\.sequencer.peripheryClockHertz, range: 0.001...100_000, fileToModel: 1e6),
                  optional: .real(d.peripheryClockHertz / 1e6)),
            .init("periphery_femtojoules_per_operation", .real(\.sequencer.peripheryJoulesPerOperation, range: 0...1e9, fileToModel: 1e-15),
                  optional: .real(d.peripheryJoulesPerOperation / 1e-15)),
            .init("buffer_femtojoules_per_byte", .real(\.sequencer.bufferJoulesPerByte, range: 0...1e9, fileToModel: 1e-15),
                  optional: .real(d.bufferJoulesPerByte / 1e-15)),
            .init("bus_gigabytes_per_second", .real(\.sequencer.busBytesPerSecond, range: 1e-6...1e6, fileToModel: 1e9),
                  optional: .real(d.busBytesPerSecond / 1e9)),
            .init("step_nanoseconds", .real(\.sequencer.stepSeconds, range: 0...1e9, fileToModel: 1e-9), optional: .real(d.stepSeconds / 1e-9)),
            .init("step_picojoules", .real(\.sequencer.stepJoules, range: 0...1e9, fileToModel: 1e-12), optional: .real(d.stepJoules / 1e-12)),
            .init("replicate_weights", .flag(\.sequencer.replicatesWeights), optional: .flag(d.replicatesWeights)),
        ]
    }()
}
