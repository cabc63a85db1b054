/// An analog compute-in-memory accelerator: program weights, apply inputs,
/// read the ADC, calibrate.
///
/// Implemented by the simulator (CIMSimulator) and by the evaluation-board
/// driver (CIMDrivers). Inputs and outputs are integer converter codes, as on
/// the hardware; `ProgrammingReport.readout` says what they mean. An
/// accelerator is one device with state, so the protocol is class-bound.
public protocol CIMAccelerator: AnyObject {
    var geometry: CIMGeometry { get }

    /// Programs `weights` (at most rows x columns; the rest of the tile is left
    /// at zero weight) into `tile`.
    func program(tile: Int, weights: WeightMatrix, policy: WriteVerifyPolicy) throws(HALError) -> ProgrammingReport

    /// One matrix-vector multiply: `inputCodes` (geometry.rows DAC codes) on the
    /// tile's rows, `outputCodes` (geometry.columns ADC codes) read back.
    /// The hot path: synchronous, and allocates nothing.
    func multiply(tile: Int, inputCodes: UnsafeBufferPointer<Int32>,
                           outputCodes: UnsafeMutableBufferPointer<Int32>) throws(HALError)

    /// `batchSize` multiplies back to back; vectors are contiguous.
    func multiplyBatch(tile: Int, batchSize: Int, inputCodes: UnsafeBufferPointer<Int32>,
                                outputCodes: UnsafeMutableBufferPointer<Int32>) throws(HALError)

    /// Calibrates every column of `tile` and applies the result to later reads.
    func calibrate(tile: Int, method: CalibrationMethod) throws(HALError) -> ColumnCalibration

    func dieTemperatureCelsius() throws(HALError) -> Double

    /// Returns to power-on state: calibration trims cleared. Weights survive
    /// on non-volatile technologies (RRAM, PCM, flash) and are lost on
    /// volatile ones (SRAM).
    func reset() throws(HALError)
}

extension CIMAccelerator {
    /// Array form of `multiply`; allocation-free when `outputCodes` already
    /// holds geometry.columns elements and is uniquely referenced.
    public func multiply(tile: Int, inputCodes: [Int32], into outputCodes: inout [Int32]) throws(HALError) {
        try inputCodes.withUnsafeBufferPointer { (input) throws(HALError) in
            try outputCodes.withUnsafeMutableBufferPointer { (output) throws(HALError) in
                try multiply(tile: tile, inputCodes: input, outputCodes: output)
            }
        }
    }

    public func multiplyBatch(tile: Int, batchSize: Int, inputCodes: [Int32], into outputCodes: inout [Int32]) throws(HALError) {
        try inputCodes.withUnsafeBufferPointer { (input) throws(HALError) in
            try outputCodes.withUnsafeMutableBufferPointer { (output) throws(HALError) in
                try multiplyBatch(tile: tile, batchSize: batchSize, inputCodes: input, outputCodes: output)
            }
        }
    }
}
