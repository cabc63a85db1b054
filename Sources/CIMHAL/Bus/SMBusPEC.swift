/// SMBus packet error checking: CRC-8 with polynomial x⁸ + x² + x + 1
/// (0x07), initial value 0, over every byte of a transaction as it appears
/// on the wire, address bytes included (SMBus 3.1 §6.4; Linux
/// `i2c_smbus_pec`). It detects every single- and double-bit error in a
/// transaction of up to 119 bytes, so a flipped bit becomes a retry instead
/// of a wrong number.
public enum SMBusPEC {
    /// The CRC of `bytes`, continuing from `crc`.
    public static func crc<S: Sequence>(_ bytes: S, startingAt crc: UInt8 = 0) -> UInt8 where S.Element == UInt8 {
        table.withUnsafeBufferPointer { t in
            var c = crc
            for byte in bytes { c = t[Int(c ^ byte)] }
            return c
        }
    }

    /// The CRC of each one-byte message from 0: one lookup per byte instead
    /// of eight shifts (PEC runs over every byte both ends of a 4 KiB
    /// transfer move, so it is on the hot path of a multiply).
    private static let table: [UInt8] = (0..<256).map { (n: Int) -> UInt8 in
        var c = UInt8(n)
        for _ in 0..<8 { c = c & 0x80 != 0 ? (c << 1) ^ 0x07 : c << 1 }
        return c
    }

    /// The PEC of a register write: `S addr+W  bytes…  PEC`.
    public static func write(_ bytes: [UInt8], to address: I2CAddress) -> UInt8 {
        crc(bytes, startingAt: crc(CollectionOfOne(address.rawValue << 1)))
    }

    /// The PEC of a register read: `S addr+W  register  Sr addr+R  data…  PEC`.
    public static func read(register: UInt8, data: ArraySlice<UInt8>, from address: I2CAddress) -> UInt8 {
        crc(data, startingAt: crc([address.rawValue << 1, register, address.rawValue << 1 | 1]))
    }

    /// EBADMSG, Linux's errno for a PEC mismatch (`i2c_smbus_check_pec`).
    public static let mismatchErrno: Int32 = 74
}
