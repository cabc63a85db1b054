import CIMHAL

/// 16-bit register access as the TI INA family (and the CIM eval board)
/// speak it: a pointer byte, then the value most-significant byte first.
///
/// Big-endian on the wire, whatever the host: an SMBus "read word" would
/// return it little-endian, so drivers use these and never SMBus words.
extension I2CBus {
    public mutating func readRegister16(_ pointer: UInt8, at address: I2CAddress) throws(HALError) -> UInt16 {
        let bytes = try writeRead([pointer], readCount: 2, at: address)
        return UInt16(bytes[0]) << 8 | UInt16(bytes[1])
    }

    public mutating func writeRegister16(_ pointer: UInt8, _ value: UInt16, at address: I2CAddress) throws(HALError) {
        try write([pointer, UInt8(value >> 8), UInt8(value & 0xFF)], to: address)
    }
}
