import CIMHAL

/// 16-bit register access as the TI INA family (and the CIM eval board)
/// speak it: a pointer byte, then the value most-significant byte first.
///
/// Big-endian on the wire, whatever the host: an SMBus "read word" would
/// return it little-endian, so drivers use these and never SMBus words.
extension I2CBus {
    public mutating func readRegister16(_ pointer: UInt8, at address: I2CAddress) throws(HALError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readRegister(pointer, bytes: 2, at: address))
    }

    /// A register of `bytes` bytes (1...8), most-significant byte first: the
    /// INA228's 24-bit results and 40-bit accumulators (SLYS021 §7.6).
    public mutating func readRegister(_ pointer: UInt8, bytes: Int, at address: I2CAddress) throws(HALError) -> UInt64 {
        guard (1...8).contains(bytes) else {
            throw .invalidArgument("register 0x\(String(pointer, radix: 16)) of the device at \(address): \(bytes) bytes, expected 1...8")
        }
        let read = try writeRead([pointer], readCount: bytes, at: address)
        guard read.count == bytes else {
            throw .io(errno: SMBusPEC.mismatchErrno,
                      operation: "register 0x\(String(pointer, radix: 16)) of the device at \(address): \(read.count) bytes read, \(bytes) expected")
        }
        return read.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A register read until `agreeing` reads in a row give the same value.
    /// The INA family has no PEC, so this is how a bit flipped on the wire
    /// is kept out of a reading: two reads damaged the same way happen once
    /// in p²/16 (6·10⁻⁶ at a 1% corruption rate — a few a day at two
    /// samples a second), three once in p³/256 (4·10⁻⁹), so three are asked
    /// for. A value that changes between reads (a conversion completed)
    /// costs more reads, up to `reads`. Only for registers a read does not
    /// change (not Mask/Enable: reading it clears the conversion-ready flag).
    public mutating func readRegister16Agreeing(_ pointer: UInt8, at address: I2CAddress,
                                                agreeing: Int = 3, reads: Int = 8) throws(HALError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readRegisterAgreeing(pointer, bytes: 2, at: address, agreeing: agreeing, reads: reads))
    }

    /// `readRegister16Agreeing` for a register of `bytes` bytes.
    public mutating func readRegisterAgreeing(_ pointer: UInt8, bytes: Int, at address: I2CAddress,
                                              agreeing: Int = 3, reads: Int = 8) throws(HALError) -> UInt64 {
        var last = try readRegister(pointer, bytes: bytes, at: address)
        var run = 1
        let needed = max(1, agreeing)
        var done = 1
        while run < needed {
            guard done < reads else {
                throw .io(errno: SMBusPEC.mismatchErrno,
                          operation: "register 0x\(String(pointer, radix: 16)) of the device at \(address): no \(needed) of \(reads) reads in a row agreed")
            }
            let next = try readRegister(pointer, bytes: bytes, at: address)
            done += 1
            run = next == last ? run + 1 : 1
            last = next
        }
        return last
    }

    public mutating func writeRegister16(_ pointer: UInt8, _ value: UInt16, at address: I2CAddress) throws(HALError) {
        try write([pointer, UInt8(value >> 8), UInt8(value & 0xFF)], to: address)
    }
}
