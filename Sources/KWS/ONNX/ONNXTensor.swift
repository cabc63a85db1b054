import Foundation

/// A constant tensor from an initializer, a Constant node or constant
/// folding: a shape and float or integer elements, row-major.
struct ONNXTensor: Sendable, Hashable {
    enum Elements: Sendable, Hashable {
        case float([Float])
        case int64([Int64])
    }

    var shape: [Int]
    var elements: Elements

    init(shape: [Int], elements: Elements) {
        self.shape = shape
        self.elements = elements
    }

    init(shape: [Int], floats: [Float]) { self.init(shape: shape, elements: .float(floats)) }
    init(shape: [Int], ints: [Int64]) { self.init(shape: shape, elements: .int64(ints)) }

    var count: Int {
        switch elements {
        case .float(let v): return v.count
        case .int64(let v): return v.count
        }
    }

    var isFloat: Bool { if case .float = elements { return true } else { return false } }

    var floats: [Float] {
        switch elements {
        case .float(let v): return v
        case .int64(let v): return v.map { Float($0) }
        }
    }

    var ints: [Int64] {
        switch elements {
        case .float(let v): return v.map { Int64($0) }
        case .int64(let v): return v
        }
    }

    /// The integers of an index or shape tensor, or an error naming `role`.
    func integers(_ role: String) throws(ONNXImportError) -> [Int] {
        guard case .int64(let v) = elements else {
            throw ONNXImportError(message: "\(role) must be an integer tensor, got floats")
        }
        return v.map { Int(clamping: $0) }
    }

    func reshaped(_ newShape: [Int]) -> ONNXTensor { ONNXTensor(shape: newShape, elements: elements) }

    /// Same element type, values picked by flat index.
    func gathering(_ indices: [Int], shape newShape: [Int]) -> ONNXTensor {
        switch elements {
        case .float(let v): return ONNXTensor(shape: newShape, floats: indices.map { v[$0] })
        case .int64(let v): return ONNXTensor(shape: newShape, ints: indices.map { v[$0] })
        }
    }
}

/// Elements of `shape`; Int.max when a dimension is negative or the product
/// overflows, so a shape read from a file never traps and never matches the
/// data it claims to describe.
func elementCount(_ shape: [Int]) -> Int {
    var count = 1
    for dimension in shape {
        guard dimension >= 0 else { return .max }
        let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
        if overflow { return .max }
        count = product
    }
    return count
}

/// Row-major strides of `shape`.
func strides(_ shape: [Int]) -> [Int] {
    var result = [Int](repeating: 1, count: shape.count)
    var s = 1
    for axis in shape.indices.reversed() {
        result[axis] = s
        s *= shape[axis]
    }
    return result
}

extension ONNXTensor {
    /// Decodes an ONNX TensorProto of float, double, int32 or int64 elements
    /// held inline (typed fields or raw little-endian bytes).
    init(_ proto: Onnx_TensorProto) throws(ONNXImportError) {
        let name = proto.name.isEmpty ? "(unnamed)" : proto.name
        if proto.dataLocation == .external {
            throw ONNXImportError(message: "tensor '\(name)' keeps its data in an external file; save the model with all tensors inside it (onnx.save_model(..., save_as_external_data=False))")
        }
        var dims: [Int] = []
        for d in proto.dims {
            guard d >= 0, d < 1 << 31 else {
                throw ONNXImportError(message: "tensor '\(name)' has dimension \(d); the file is corrupt")
            }
            dims.append(Int(d))
        }
        let (product, overflow) = dims.reduce((1, false)) { acc, d in
            let m = acc.0.multipliedReportingOverflow(by: d)
            return (m.partialValue, acc.1 || m.overflow)
        }
        guard !overflow, product < 1 << 31 else {
            throw ONNXImportError(message: "tensor '\(name)' dims \(dims) are too large; the file is corrupt")
        }
        let raw = proto.rawData
        func fromRaw<T>(_ width: Int, _ read: (UnsafeRawBufferPointer, Int) -> T) throws(ONNXImportError) -> [T] {
            guard raw.count == product * width else {
                throw ONNXImportError(message: "tensor '\(name)' has \(raw.count) bytes of data; dims \(dims) need \(product * width): the file is corrupt")
            }
            return raw.withUnsafeBytes { buffer in (0..<product).map { read(buffer, $0 * width) } }
        }
        let elements: Elements
        switch proto.dataType {
        case 1:  // FLOAT
            elements = .float(proto.hasRawData
                ? try fromRaw(4) { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: UInt32.self))) }
                : proto.floatData)
        case 11:  // DOUBLE
            elements = .float(proto.hasRawData
                ? try fromRaw(8) { Float(Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: UInt64.self)))) }
                : proto.doubleData.map { Float($0) })
        case 7:  // INT64
            elements = .int64(proto.hasRawData
                ? try fromRaw(8) { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: Int64.self)) }
                : proto.int64Data)
        case 6:  // INT32
            elements = .int64(proto.hasRawData
                ? try fromRaw(4) { Int64(Int32(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: Int32.self))) }
                : proto.int32Data.map { Int64($0) })
        default:
            throw ONNXImportError(message: "tensor '\(name)' has ONNX data type \(proto.dataType); supported: FLOAT (1), DOUBLE (11), INT32 (6), INT64 (7)")
        }
        self.init(shape: dims, elements: elements)
        guard count == product else {
            throw ONNXImportError(message: "tensor '\(name)' holds \(count) values; dims \(dims) need \(product): the file is corrupt")
        }
        if case .float(let v) = elements, let bad = v.firstIndex(where: { !$0.isFinite }) {
            throw ONNXImportError(message: "tensor '\(name)' element \(bad) is \(v[bad]); weights must be finite")
        }
    }
}
