import CIMHAL

/// One inference of a compiled model as a chip's own sequencer runs it: the
/// features come in over the host link once, every layer application is a
/// program step on chip, and the outputs go back once.
///
/// A step is a chain: the periphery prepares the input (gathers it, finds
/// its largest value, scales it to DAC codes), the data path carries the
/// codes to each piece's tile, every piece of the matrix converts at once
/// (each sits on its own tile), the codes come back, and the periphery turns
/// them into numbers, adds the partial sums of row blocks and the weights
/// done digitally, and applies the layer's elementwise work. A GRU's steps
/// follow one another (each needs the last state); a convolution's output
/// positions are independent, so while the tiles convert one position the
/// periphery works on the one before (pipelined at the pace of the busiest
/// resource). With weight replication, each copy of the plan on tiles it
/// leaves idle runs its own inference: throughput rises, latency does not.
///
/// Elementwise operations are counted per value: 1 to gather, 1 to find the
/// largest, 1 to scale and round (input), 1 to scale a code (output), 1 to
/// add a partial sum, 2 per digital weight, 3 per sigmoid or tanh (a
/// piecewise-linear segment: select, multiply, add), 1 per multiply or add
/// of the gate arithmetic, 3 per softmax output (exp by table, sum, divide).
public struct OnChipSchedule: Sendable, Hashable {
    /// Features in and outputs out, once per inference.
    public var hostLinkBytes: Int
    public var hostLinkSeconds: Double
    /// Tile multiplies per inference, and the time the arrays are busy (summed over tiles).
    public var tileMultiplies: Int
    public var arrayBusySeconds: Double
    public var peripheryOperations: Int
    public var peripheryBusySeconds: Double
    public var busBytes: Int
    public var busBusySeconds: Double
    public var programSteps: Int
    /// First feature in to last output out.
    public var secondsPerInference: Double
    /// That latency by the resource it waited on; the parts add up to it.
    public var latencyParts: LatencyParts
    /// Copies of the plan running inferences at once.
    public var replicas: Int
    /// Replicas over the latency, unless the shared host link is the tighter bound.
    public var inferencesPerSecond: Double
    /// The periphery's operations, the buffers' bytes and the sequencer's steps, per inference.
    public var peripheryJoules: Double
    public var bufferJoules: Double
    public var controlJoules: Double

    /// The digital side of one inference, as the chip books it.
    public var energy: ProgramEnergy {
        ProgramEnergy(peripheryJoules: peripheryJoules, bufferJoules: bufferJoules, controlJoules: controlJoules)
    }

    /// The schedule of `compiled` for inputs of `frames` frames on
    /// `sequencer`, with one tile multiply taking `mvmSeconds` and the host
    /// link moving `hostLinkBytesPerSecond`.
    public static func plan(_ compiled: CompiledModel, frames: Int, sequencer: OnChipSequencer, mvmSeconds: Double,
                            hostLinkBytesPerSecond: Double) -> OnChipSchedule {
        let g = compiled.geometry, model = compiled.model
        let dacBytes = (g.dacBits + 7) / 8, adcBytes = (g.adcBits + 7) / 8
        var totals = Totals()
        var parts = LatencyParts()

        /// One application of matrix `m`, with `extraOperations` of elementwise work after it.
        func step(matrix m: Int, extraOperations: Int) -> Step {
            let matrix = compiled.matrices[m]
            let pieces = compiled.pieces.filter { $0.matrix == m }
            let prepare = 3 * matrix.dataRows
            let codesIn = pieces.reduce(0) { $0 + $1.rowCount } * dacBytes
            let codesOut = pieces.reduce(0) { $0 + $1.columnCount } * adcBytes
            let finish = 2 * pieces.reduce(0) { $0 + $1.columnCount } + 2 * pieces.reduce(0) { $0 + $1.digitalWeights.count } + extraOperations
            return Step(pieces: pieces.count, prepareOperations: prepare, finishOperations: finish, busBytes: codesIn + codesOut,
                        sequencer: sequencer, mvmSeconds: mvmSeconds)
        }

        for (n, layer) in model.layers.enumerated() {
            let applications = model.applications(ofLayer: n, frames: frames)
            switch layer {
            case .recurrent(let gru):
                let h = gru.hiddenSize
                guard let gates = compiled.matrices.firstIndex(where: { $0.role == .gruGates(layer: n) }) else { continue }
                var chain: [Step]
                if gru.linearBeforeReset {
                    // σ on z and r, n = tanh(Wx + r ⊙ Rh), h' = (1 − z) ⊙ n + z ⊙ h.
                    chain = [step(matrix: gates, extraOperations: 3 * 2 * h + 2 * h + 3 * h + 3 * h)]
                } else {
                    // σ on z and r and r ⊙ h; then R_h (r ⊙ h), n = tanh(·), h'.
                    chain = [step(matrix: gates, extraOperations: 3 * 2 * h + h)]
                    if let candidate = compiled.matrices.firstIndex(where: { $0.role == .gruCandidate(layer: n) }) {
                        chain.append(step(matrix: candidate, extraOperations: h + 3 * h + 3 * h))
                    }
                }
                for s in chain {
                    totals.add(s, times: applications)
                    parts.add(s, times: applications)
                }
            case .dense(let d):
                guard let m = compiled.matrices.firstIndex(where: { $0.role == .matrix(layer: n) }) else { continue }
                let s = step(matrix: m, extraOperations: Self.operations(d.activation) * d.outputs)
                totals.add(s, times: applications)
                parts.add(s, times: applications)
            case .convolution(let c):
                guard let m = compiled.matrices.firstIndex(where: { $0.role == .matrix(layer: n) }) else { continue }
                let s = step(matrix: m, extraOperations: Self.operations(c.activation) * c.outChannels)
                totals.add(s, times: applications)
                // Positions in a pipeline: the first whole, then one per beat of the busiest resource.
                if applications > 0 {
                    parts.add(s, times: 1)
                    parts.addBeats(of: s, times: applications - 1)
                }
            case .averagePool:
                let shape = model.shapes[n]
                let operations = shape.channels * shape.positions + shape.channels
                totals.peripheryOperations += operations
                totals.programSteps += 1
                parts.periphery += sequencer.peripherySeconds(operations: operations)
                parts.sequencer += sequencer.stepSeconds
            }
        }
        if model.softmax {
            totals.peripheryOperations += 3 * model.outputs
            totals.programSteps += 1
            parts.periphery += sequencer.peripherySeconds(operations: 3 * model.outputs)
            parts.sequencer += sequencer.stepSeconds
        }
        let hostBytes = frames * model.frameSize * dacBytes + model.outputs * 2
        let hostSeconds = Double(hostBytes) / hostLinkBytesPerSecond
        parts.hostLink = hostSeconds
        let latency = parts.total
        let replicas = sequencer.replicatesWeights ? max(1, g.tiles / max(1, compiled.tilesUsed)) : 1
        let throughput = min(Double(replicas) / latency, hostSeconds > 0 ? 1 / hostSeconds : .infinity)
        return OnChipSchedule(
            hostLinkBytes: hostBytes, hostLinkSeconds: hostSeconds, tileMultiplies: totals.tileMultiplies,
            arrayBusySeconds: Double(totals.tileMultiplies) * mvmSeconds, peripheryOperations: totals.peripheryOperations,
            peripheryBusySeconds: totals.peripherySeconds, busBytes: totals.busBytes, busBusySeconds: sequencer.busSeconds(bytes: totals.busBytes),
            programSteps: totals.programSteps, secondsPerInference: latency, latencyParts: parts, replicas: replicas, inferencesPerSecond: throughput,
            peripheryJoules: Double(totals.peripheryOperations) * sequencer.peripheryJoulesPerOperation,
            bufferJoules: Double(totals.busBytes) * sequencer.bufferJoulesPerByte,
            controlJoules: Double(totals.programSteps) * sequencer.stepJoules)
    }

    /// Elementwise operations of an activation per value.
    static func operations(_ activation: Activation) -> Int {
        switch activation {
        case .identity: return 0
        case .relu: return 1
        case .sigmoid, .tanh: return 3
        }
    }

    /// One program step: prepare, carry the codes in, convert every piece at
    /// once, carry the codes out, finish.
    struct Step {
        var pieces: Int
        var prepareOperations: Int
        var finishOperations: Int
        var busBytes: Int
        var prepareSeconds: Double, finishSeconds: Double, busSeconds: Double, mvmSeconds: Double, stepSeconds: Double

        init(pieces: Int, prepareOperations: Int, finishOperations: Int, busBytes: Int, sequencer: OnChipSequencer, mvmSeconds: Double) {
            self.pieces = pieces
            self.prepareOperations = prepareOperations
            self.finishOperations = finishOperations
            self.busBytes = busBytes
            prepareSeconds = sequencer.peripherySeconds(operations: prepareOperations)
            finishSeconds = sequencer.peripherySeconds(operations: finishOperations)
            busSeconds = sequencer.busSeconds(bytes: busBytes)
            self.mvmSeconds = mvmSeconds
            stepSeconds = sequencer.stepSeconds
        }

        /// The chain, start to end.
        var seconds: Double { stepSeconds + prepareSeconds + busSeconds + mvmSeconds + finishSeconds }
        /// In a pipeline of independent steps: the busiest resource's share of one.
        var beatSeconds: Double { max(stepSeconds + prepareSeconds + finishSeconds, busSeconds, mvmSeconds) }
    }

    /// The latency by the resource each stretch of it waited on.
    public struct LatencyParts: Sendable, Hashable {
        public var hostLink = 0.0, sequencer = 0.0, periphery = 0.0, bus = 0.0, arrays = 0.0
        public var total: Double { hostLink + sequencer + periphery + bus + arrays }

        mutating func add(_ s: Step, times n: Int) {
            let k = Double(n)
            sequencer += k * s.stepSeconds
            periphery += k * (s.prepareSeconds + s.finishSeconds)
            bus += k * s.busSeconds
            arrays += k * s.mvmSeconds
        }

        /// Pipeline beats, each charged to the resource that sets it.
        mutating func addBeats(of s: Step, times n: Int) {
            let k = Double(n), digital = s.stepSeconds + s.prepareSeconds + s.finishSeconds
            if digital >= s.busSeconds && digital >= s.mvmSeconds {
                sequencer += k * s.stepSeconds
                periphery += k * (s.prepareSeconds + s.finishSeconds)
            } else if s.busSeconds >= s.mvmSeconds {
                bus += k * s.busSeconds
            } else {
                arrays += k * s.mvmSeconds
            }
        }
    }

    struct Totals {
        var tileMultiplies = 0, peripheryOperations = 0, busBytes = 0, programSteps = 0
        var peripherySeconds = 0.0

        mutating func add(_ s: Step, times n: Int) {
            tileMultiplies += n * s.pieces
            peripheryOperations += n * (s.prepareOperations + s.finishOperations)
            peripherySeconds += Double(n) * (s.prepareSeconds + s.finishSeconds)
            busBytes += n * s.busBytes
            programSteps += n
        }
    }
}
