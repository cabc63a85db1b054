/// A GRU over the input frames as ONNX describes it; its output is the
/// last hidden state.
///
/// Weights keep ONNX's layout and gate order (z, r, h): W is [3H, I], R is
/// [3H, H], biases Wb and Rb are [3H], all row-major, so an import copies
/// them as they are.
public struct GRULayer: Sendable, Hashable {
    public var inputSize: Int
    public var hiddenSize: Int
    public var w: [Float]
    public var r: [Float]
    public var wb: [Float]
    public var rb: [Float]
    /// ONNX `linear_before_reset`: 1 applies the reset gate after the
    /// recurrent product (cuDNN, PyTorch, Keras `reset_after`), 0 before it
    /// (the ONNX default).
    public var linearBeforeReset: Bool
    /// ONNX `initial_h` for batch 1: [H]; zeros when the model gives none.
    public var initialState: [Float]
    /// ONNX `sequence_lens` for batch 1: only the first n frames are run and
    /// the output is the state after them. Nil runs every frame.
    public var sequenceLength: Int?
    /// ONNX `direction = "reverse"`: frames are read last to first.
    public var reverse: Bool

    public init(inputSize: Int, hiddenSize: Int, w: [Float], r: [Float], wb: [Float], rb: [Float],
                linearBeforeReset: Bool, initialState: [Float]? = nil, sequenceLength: Int? = nil,
                reverse: Bool = false) throws(ModelError) {
        let h = hiddenSize, i = inputSize
        guard h > 0, i > 0 else { throw ModelError("GRU sizes must be positive, got input \(i), hidden \(h)") }
        for (name, array, count) in [("W", w, 3 * h * i), ("R", r, 3 * h * h), ("Wb", wb, 3 * h), ("Rb", rb, 3 * h),
                                     ("initial_h", initialState ?? [Float](repeating: 0, count: h), h)]
            where array.count != count {
            throw ModelError("GRU \(name) has \(array.count) values; \(name) of a GRU with input \(i) and hidden \(h) has \(count)")
        }
        for (name, array) in [("W", w), ("R", r), ("Wb", wb), ("Rb", rb), ("initial_h", initialState ?? [])] {
            if let bad = array.firstIndex(where: { !$0.isFinite }) {
                throw ModelError("GRU \(name)[\(bad)] is \(array[bad]), expected a finite number")
            }
        }
        if let n = sequenceLength, n < 1 {
            throw ModelError("GRU sequence length \(n) must be at least 1")
        }
        self.inputSize = i
        self.hiddenSize = h
        self.w = w
        self.r = r
        self.wb = wb
        self.rb = rb
        self.linearBeforeReset = linearBeforeReset
        self.initialState = initialState ?? [Float](repeating: 0, count: h)
        self.sequenceLength = sequenceLength
        self.reverse = reverse
    }

    /// Frames run for an input of `frames` frames.
    public func steps(frames: Int) -> Int { min(frames, sequenceLength ?? frames) }
}
