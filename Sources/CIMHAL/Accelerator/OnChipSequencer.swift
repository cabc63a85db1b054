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
    /// The sequencer's fixed cost per program step (fetch, decode, issue),
    /// in time and in energy. A host-driven chip's controller pays the
    /// energy once per tile multiply it is commanded to run.
    public var stepSeconds: Double
    public var stepJoules: Double
    /// Copies of the model's weights on tiles the plan leaves idle, each
    /// running its own inference, to raise throughput.
    public var replicatesWeights: Bool

    public init(peripheryLanes: Int, peripheryClockHertz: Double, peripheryJoulesPerOperation: Double,
                bufferJoulesPerByte: Double, busBytesPerSecond: Double, stepSeconds: Double, stepJoules: Double, replicatesWeights: Bool) {
        self.peripheryLanes = peripheryLanes
        self.peripheryClockHertz = peripheryClockHertz
        self.peripheryJoulesPerOperation = peripheryJoulesPerOperation
        self.bufferJoulesPerByte = bufferJoulesPerByte
        self.busBytesPerSecond = busBytesPerSecond
        self.stepSeconds = stepSeconds
        self.stepJoules = stepJoules
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
    /// The program ran for `seconds` on chip and its digital side spent `energy`.
    func finishProgram(seconds: Double, energy: ProgramEnergy)
}

/// What an on-chip program spends besides its tile multiplies.
public struct ProgramEnergy: Sendable, Hashable {
    /// The periphery's elementwise operations.
    public var peripheryJoules: Double
    /// Bytes written to and read from the on-chip buffers between tiles and periphery.
    public var bufferJoules: Double
    /// The sequencer stepping through the program.
    public var controlJoules: Double

    public init(peripheryJoules: Double = 0, bufferJoules: Double = 0, controlJoules: Double = 0) {
        self.peripheryJoules = peripheryJoules
        self.bufferJoules = bufferJoules
        self.controlJoules = controlJoules
    }

    public static let zero = ProgramEnergy()

    public func scaled(by k: Double) -> ProgramEnergy {
        ProgramEnergy(peripheryJoules: peripheryJoules * k, bufferJoules: bufferJoules * k, controlJoules: controlJoules * k)
    }
}
