/// What a chip that sequences whole layers itself brings besides its
/// arrays: a digital periphery for the arithmetic between products (input
/// scaling, partial sums, gates, activations), an on-chip data path between
/// tiles and periphery, and a sequencer stepping through a compiled program.
/// The host link then carries only the features in and the outputs out.
///
/// A compiler (`OnChipSchedule` in KWS) turns a model's plan into that
/// program's time and energy on these resources.
public struct OnChipSequencer: Sendable, Hashable, Codable {
    /// Elementwise operations the periphery completes per cycle (SIMD lanes).
    public var peripheryLanes: Int
    public var peripheryClockHertz: Double
    /// One elementwise operation (a multiply-add on fixed-point values, or
    /// one segment of a piecewise-linear sigmoid or tanh).
    public var peripheryJoulesPerOperation: Double
    /// Moving one byte between a tile and the periphery through the on-chip
    /// buffers: written once and read once.
    public var bufferJoulesPerByte: Double
    public var busBytesPerSecond: Double
    /// The sequencer's fixed cost per program step (fetch, decode, issue).
    public var stepSeconds: Double
    /// Copies of the model's weights on tiles the plan leaves idle, each
    /// running its own inference, to raise throughput.
    public var replicatesWeights: Bool

    public init(peripheryLanes: Int, peripheryClockHertz: Double, peripheryJoulesPerOperation: Double,
                bufferJoulesPerByte: Double, busBytesPerSecond: Double, stepSeconds: Double, replicatesWeights: Bool) {
        self.peripheryLanes = peripheryLanes
        self.peripheryClockHertz = peripheryClockHertz
        self.peripheryJoulesPerOperation = peripheryJoulesPerOperation
        self.bufferJoulesPerByte = bufferJoulesPerByte
        self.busBytesPerSecond = busBytesPerSecond
        self.stepSeconds = stepSeconds
        self.replicatesWeights = replicatesWeights
    }

    /// Seconds the periphery takes for `operations` elementwise operations.
    public func peripherySeconds(operations: Int) -> Double {
        guard operations > 0 else { return 0 }
        let cycles = (operations + peripheryLanes - 1) / max(1, peripheryLanes)
        return Double(cycles) / peripheryClockHertz
    }

    public func busSeconds(bytes: Int) -> Double { Double(bytes) / busBytesPerSecond }
}

/// How a chip runs a model: the host driving every tile multiply over its
/// link (an eval board today), or the chip's own sequencer.
public enum ExecutionModel: Sendable, Hashable {
    case hostDriven
    case onChip(OnChipSequencer)
}

/// An accelerator that runs a compiled program on its own sequencer
/// (`[execution] model = "on_chip"`). The host brackets each inference:
/// between `startProgram` and `finishProgram` its tile multiplies are the
/// program's steps, booked by the program's schedule rather than one by one
/// over the host link. The arithmetic is the same either way.
public protocol OnChipProgramRunner: AnyObject {
    /// The sequencer the chip runs programs on; nil when it runs host-driven.
    var onChipSequencer: OnChipSequencer? { get }
    /// One tile multiply, and the host link's speed: what a schedule needs.
    var tileMultiplySeconds: Double { get }
    var hostLinkBytesPerSecond: Double { get }
    func startProgram()
    /// The program ran for `seconds` on chip; its periphery and buffers spent `joules`.
    func finishProgram(seconds: Double, joules: Double)
}
