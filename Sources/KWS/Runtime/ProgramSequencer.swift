import CIMHAL

/// The firmware of a board's sequencer for KWS programs: decodes an
/// `OnChipProgram` against the board's own accelerator and runs it with
/// `AcceleratorRuntime` on the tiles the host programmed. The board then
/// does exactly the host's arithmetic (the same backend code on the same
/// tile multiplies), so a run gives the host-driven bits; on an accelerator
/// that books on-chip programs (`OnChipProgramRunner`), each run is one.
public final class ProgramSequencer: SequencerFirmware {
    public let accelerator: any CIMAccelerator
    private var runtime: AcceleratorRuntime?

    public init(accelerator: any CIMAccelerator) {
        self.accelerator = accelerator
    }

    public var programFormat: UInt8 { OnChipProgram.formatVersion }

    public func load(program: [UInt8]) throws(HALError) {
        runtime = nil
        let decoded = try OnChipProgram.decode(program, for: accelerator.geometry)
        runtime = try AcceleratorRuntime(program: decoded, accelerator: accelerator)
    }

    public var frameSize: Int? { runtime?.compiled.model.frameSize }
    public var outputCount: Int? { runtime?.compiled.model.outputs }

    public func run(features: UnsafeBufferPointer<Float>, into outputs: UnsafeMutableBufferPointer<Float>) throws(HALError) {
        guard let runtime else { throw .invalidArgument("no program loaded") }
        try runtime.classify(features, into: outputs)
    }

    public func unload() { runtime = nil }
}
