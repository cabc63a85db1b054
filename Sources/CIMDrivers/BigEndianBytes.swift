import CIMHAL

/// Builds a register payload, big-endian as the eval board protocol sends it.
struct BigEndianWriter {
    var bytes: [UInt8]

    init(register: UInt8, capacity: Int = 0) {
        bytes = [register]
        bytes.reserveCapacity(capacity + 2)  // and a PEC byte
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF)) }
    mutating func i16(_ v: Int16) { u16(UInt16(bitPattern: v)) }
    mutating func u32(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((v >> UInt32(s)) & 0xFF)) } }
    mutating func u64(_ v: UInt64) { for s in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((v >> UInt64(s)) & 0xFF)) } }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
}

/// Reads fields out of bytes that came off the bus. A short buffer is an
/// error, never a trap: bus data is untrusted.
struct BigEndianReader {
    private let bytes: [UInt8]
    private(set) var offset = 0
    private let what: String

    init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
    }

    /// Checks that `n` more bytes are there.
    private func need(_ n: Int) throws(HALError) {
        guard n >= 0, offset + n <= bytes.count else {
            throw .io(errno: EvalBoardErrorCode.eio, operation: "\(what): needed \(offset + n) bytes, got \(bytes.count)")
        }
    }

    private mutating func unsigned(_ n: Int) throws(HALError) -> UInt64 {
        try need(n)
        var v: UInt64 = 0
        for k in offset..<(offset + n) { v = v << 8 | UInt64(bytes[k]) }
        offset += n
        return v
    }

    /// `count` 32-bit signed values into `values`: the output codes of a multiply, in one pass.
    mutating func i32s(_ count: Int, into values: UnsafeMutableBufferPointer<Int32>) throws(HALError) {
        try need(4 * count)
        guard count <= values.count else {
            throw .io(errno: EvalBoardErrorCode.eio, operation: "\(what): \(count) values for room of \(values.count)")
        }
        bytes.withUnsafeBufferPointer { b in
            for k in 0..<count {
                let i = offset + 4 * k
                values[k] = Int32(bitPattern: UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3]))
            }
        }
        offset += 4 * count
    }

    mutating func skip(_ n: Int) throws(HALError) {
        try need(n)
        offset += n
    }
    mutating func u8() throws(HALError) -> UInt8 { UInt8(try unsigned(1)) }
    mutating func u16() throws(HALError) -> UInt16 { UInt16(try unsigned(2)) }
    mutating func u32() throws(HALError) -> UInt32 { UInt32(try unsigned(4)) }
    mutating func u64() throws(HALError) -> UInt64 { try unsigned(8) }
    mutating func i32() throws(HALError) -> Int32 { Int32(bitPattern: try u32()) }
    mutating func f32() throws(HALError) -> Float { Float(bitPattern: try u32()) }
    mutating func f64() throws(HALError) -> Double { Double(bitPattern: try u64()) }
}
