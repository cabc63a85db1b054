import RealModule

/// Where a `LayerInterpreter` has its matrix products done: the float
/// reference, the CPU baseline or an accelerator's tiles. The interpreter
/// owns the order of the layers, the data between them and the elementwise
/// work; a backend owns the weights as it holds them.
///
/// `layer` is an index into `model.layers`.
protocol LayerBackend: AnyObject {
    associatedtype Failure: Error
    var model: NeuralNetwork { get }

    /// The error for input the interpreter refuses (wrong length, no room for the outputs).
    static func invalidInput(_ message: String) -> Failure
    /// Checks the frames before a run (an accelerator refuses values it cannot drive).
    func checkInput(_ frames: UnsafeBufferPointer<Float>) throws(Failure)

    /// output[o] = b[o] + Σ_k w[o, k] · input[group(o) · rowsPerGroup + k] of matrix
    /// layer `layer` (`MatrixBlock`), before its activation.
    func multiply(layer: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) throws(Failure)

    /// One GRU step's products: the update and reset gates' pre-activations
    /// (W x + R h + Wb + Rb, 2 x hidden), the candidate's input part
    /// (W_h x + Wb_h) and, with linear_before_reset = 1, its recurrent part
    /// (R_h h + Rb_h).
    func recurrentProducts(layer: Int, frame: UnsafePointer<Float>, state: UnsafePointer<Float>,
                           into products: RecurrentProducts) throws(Failure)
    /// linear_before_reset = 0: R_h (r ⊙ h) + Rb_h.
    func resetProduct(layer: Int, resetState: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) throws(Failure)

    /// The same three products for `clips` clips at once: clip c's frame is
    /// `frames[c]`, its state `states + c · clipStride`, its products
    /// `products` moved by `c · clipStride`. A backend that batches (an
    /// accelerator's batched MVM) gives each clip the arithmetic of a batch of one.
    func recurrentProducts(layer: Int, frames: UnsafePointer<UnsafePointer<Float>>, states: UnsafePointer<Float>,
                           into products: RecurrentProducts, clipStride: Int, clips: Int) throws(Failure)
    /// `resetProduct` for `clips` clips, each `clipStride` after the last.
    func resetProduct(layer: Int, resetStates: UnsafePointer<Float>, into outputs: UnsafeMutablePointer<Float>,
                      clipStride: Int, clips: Int) throws(Failure)
    /// `multiply` for `clips` inputs and outputs, `inputStride` and `outputStride` apart.
    func multiply(layer: Int, inputs: UnsafePointer<Float>, inputStride: Int, outputs: UnsafeMutablePointer<Float>,
                  outputStride: Int, clips: Int) throws(Failure)

    /// The gate nonlinearities as this backend's digital side computes them.
    func sigmoid(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int)
    func tanh(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int)
}

/// Where `recurrentProducts` writes: one buffer in the gate matrix's column
/// order, [z | r | W_h x | R_h h], so a backend whose product comes out in
/// that order writes it in place.
struct RecurrentProducts {
    let values: UnsafeMutablePointer<Float>
    let hidden: Int
    var gates: UnsafeMutablePointer<Float> { values }
    var candidateInput: UnsafeMutablePointer<Float> { values + 2 * hidden }
    var candidateRecurrent: UnsafeMutablePointer<Float> { values + 3 * hidden }
}

extension LayerBackend {
    func checkInput(_ frames: UnsafeBufferPointer<Float>) throws(Failure) {}

    /// A backend without batching: one clip after the other.
    func recurrentProducts(layer: Int, frames: UnsafePointer<UnsafePointer<Float>>, states: UnsafePointer<Float>,
                           into products: RecurrentProducts, clipStride: Int, clips: Int) throws(Failure) {
        for c in 0..<clips {
            try recurrentProducts(layer: layer, frame: frames[c], state: states + c &* clipStride,
                                  into: RecurrentProducts(values: products.values + c &* clipStride, hidden: products.hidden))
        }
    }

    func resetProduct(layer: Int, resetStates: UnsafePointer<Float>, into outputs: UnsafeMutablePointer<Float>,
                      clipStride: Int, clips: Int) throws(Failure) {
        for c in 0..<clips {
            try resetProduct(layer: layer, resetState: resetStates + c &* clipStride, into: outputs + c &* clipStride)
        }
    }

    func multiply(layer: Int, inputs: UnsafePointer<Float>, inputStride: Int, outputs: UnsafeMutablePointer<Float>,
                  outputStride: Int, clips: Int) throws(Failure) {
        for c in 0..<clips {
            try multiply(layer: layer, input: inputs + c &* inputStride, output: outputs + c &* outputStride)
        }
    }

    /// Scalar RealModule functions, as ONNX defines the gates.
    func sigmoid(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for k in 0..<count { y[k] = Activation.sigmoid.apply(x[k]) }
    }

    func tanh(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for k in 0..<count { y[k] = Float.tanh(x[k]) }
    }
}
