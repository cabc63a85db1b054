import CChecksums

/// SMBus packet error checking: CRC-8 with polynomial x⁸ + x² + x + 1
/// (0x07), initial value 0, over every byte of a transaction as it appears
/// on the wire, address bytes included (SMBus 3.1 §6.4; Linux
/// `i2c_smbus_pec`). It detects every single- and double-bit error in a
/// transaction of up to 119 bytes, so a flipped bit becomes a retry instead
/// of a wrong number.
public enum SMBusPEC {
    /// The CRC of `bytes`, continuing from `crc`.
    public static func crc<S: Sequence>(_ bytes: S, startingAt crc: UInt8 = 0) -> UInt8 where S.Element == UInt8 {
        // Arrays and slices (every transfer) take the loop over contiguous bytes.
        if let c = bytes.withContiguousStorageIfAvailable({ Self.crc(contiguous: $0, startingAt: crc) }) { return c }
        return table.withUnsafeBufferPointer { t in
            var c = crc
            for byte in bytes { c = t[Int(c ^ byte)] }
            return c
        }
    }

    /// Sixteen bytes at a time by carry-less multiplication where the CPU
    /// has it (the CRC of a long transfer in a few nanoseconds per 16
    /// bytes), then the table over the 16-byte remainder and the tail.
    private static func crc(contiguous bytes: UnsafeBufferPointer<UInt8>, startingAt crc: UInt8) -> UInt8 {
        guard hasCarrylessMultiply, bytes.count >= 32, let base = bytes.baseAddress else {
            return crcBySlices(bytes, startingAt: crc)
        }
        var folded: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &folded) { f in
            let remainder = f.bindMemory(to: UInt8.self)
            let consumed = cimfw_crc8_fold(base, bytes.count, crc, remainder.baseAddress)
            let c = crcBySlices(UnsafeBufferPointer(remainder), startingAt: 0)
            return crcBySlices(UnsafeBufferPointer(rebasing: bytes[consumed...]), startingAt: c)
        }
    }

    private static let hasCarrylessMultiply = cimfw_cpu_has_clmul() == 1

    /// Eight bytes at a time where there are eight (slicing-by-8): the CRC
    /// is linear, so the CRC of eight bytes is the XOR of each byte's CRC
    /// followed by the zero bytes after it, eight lookups that do not wait
    /// on each other instead of a chain of eight.
    static func crcBySlices(_ bytes: UnsafeBufferPointer<UInt8>, startingAt crc: UInt8) -> UInt8 {
        slices.withUnsafeBufferPointer { t in
            var c = crc, k = 0
            let n = bytes.count
            while k + 8 <= n {
                c = t[7 * 256 + Int(c ^ bytes[k])] ^ t[6 * 256 + Int(bytes[k + 1])] ^ t[5 * 256 + Int(bytes[k + 2])]
                    ^ t[4 * 256 + Int(bytes[k + 3])] ^ t[3 * 256 + Int(bytes[k + 4])] ^ t[2 * 256 + Int(bytes[k + 5])]
                    ^ t[256 + Int(bytes[k + 6])] ^ t[Int(bytes[k + 7])]
                k += 8
            }
            while k < n {
                c = t[Int(c ^ bytes[k])]
                k += 1
            }
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

    /// `slices[k * 256 + x]`: the CRC of byte x followed by k zero bytes
    /// (a zero byte maps a CRC c to table[c]); slice 0 is `table`.
    private static let slices: [UInt8] = {
        var s = table
        for k in 1..<8 { s += (0..<256).map { table[Int(s[(k - 1) * 256 + $0])] } }
        return s
    }()

    /// The PEC of a register write: `S addr+W  bytes…  PEC`.
    public static func write<Bytes: Sequence>(_ bytes: Bytes, to address: I2CAddress) -> UInt8 where Bytes.Element == UInt8 {
        crc(bytes, startingAt: table[Int(address.rawValue << 1)])
    }

    /// The PEC of a register read: `S addr+W  register  Sr addr+R  data…  PEC`.
    public static func read(register: UInt8, data: ArraySlice<UInt8>, from address: I2CAddress) -> UInt8 {
        crc(data, startingAt: table[Int(table[Int(table[Int(address.rawValue << 1)] ^ register)] ^ (address.rawValue << 1 | 1))])
    }

    /// EBADMSG, Linux's errno for a PEC mismatch (`i2c_smbus_check_pec`).
    public static let mismatchErrno: Int32 = 74
}
