/// An accelerator behind a link whose board can run whole compiled programs
/// on its own sequencer (the eval-board protocol's program-and-run, version
/// 1.4): the host loads a program once, then an inference is one run —
/// features in, outputs out — instead of a command per tile multiply.
/// Programming, calibration and single multiplies stay the host's.
public protocol RemoteProgramRunner: AnyObject {
    /// The program format the board's sequencer runs; nil when the board
    /// has none (an older board, or one without a sequencer).
    var programFormat: UInt8? { get }
    /// Loads `program`; the board checks it against what its tiles hold.
    func load(program: [UInt8]) throws(HALError)
    /// Runs the loaded program on `frames` frames of `features`, writing the
    /// model's outputs to `outputs`.
    func run(features: UnsafeBufferPointer<Float>, frames: Int, into outputs: UnsafeMutableBufferPointer<Float>) throws(HALError)
}

/// The firmware of a board's sequencer: the board side of program-and-run.
/// It runs a loaded program on the board's own accelerator.
public protocol SequencerFirmware: AnyObject {
    /// The program format it runs.
    var programFormat: UInt8 { get }
    /// Decodes and checks `program`; a failure leaves no program loaded.
    func load(program: [UInt8]) throws(HALError)
    /// The loaded program's frame size and outputs; nil while none is loaded.
    var frameSize: Int? { get }
    var outputCount: Int? { get }
    func run(features: UnsafeBufferPointer<Float>, into outputs: UnsafeMutableBufferPointer<Float>) throws(HALError)
    /// Forgets the program (a reset: the sequencer's memory does not survive it).
    func unload()
}
