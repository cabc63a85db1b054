@testable import CIMHAL
import Testing

/// SMBus PEC is CRC-8 with polynomial 0x07 over every byte on the wire.
@Suite struct SMBusPECTests {
    @Test func theCRCMatchesTheStandardCheckValue() {
        // CRC-8 (poly 0x07, init 0, no reflection): "123456789" → 0xF4, the catalogue's check value.
        #expect(SMBusPEC.crc(Array("123456789".utf8)) == 0xF4)
        #expect(SMBusPEC.crc([UInt8]()) == 0)
    }

    /// The CRC is the remainder of the polynomial division, byte by byte,
    /// for every byte after every running value (the lookup covers all 65,536).
    @Test func eachByteDividesByThePolynomial() {
        for running in 0...255 {
            for byte in 0...255 {
                var c = UInt8(running) ^ UInt8(byte)
                for _ in 0..<8 { c = c & 0x80 != 0 ? (c << 1) ^ 0x07 : c << 1 }
                if SMBusPEC.crc([UInt8(byte)], startingAt: UInt8(running)) != c {
                    Issue.record("crc(\(byte), from \(running)) is \(SMBusPEC.crc([UInt8(byte)], startingAt: UInt8(running))), expected \(c)")
                }
            }
        }
    }

    @Test func aReadsPECCoversBothAddressBytesAndTheRegister() throws {
        let address = try I2CAddress(0x2C)
        let data: [UInt8] = [0x43, 0x49, 0x4D, 0x45]
        #expect(SMBusPEC.read(register: 0x00, data: data[...], from: address) == SMBusPEC.crc([0x58, 0x00, 0x59] + data))
        #expect(SMBusPEC.write([0x06, 0x00, 0x01], to: address) == SMBusPEC.crc([0x58, 0x06, 0x00, 0x01]))
    }

    /// The property PEC is chosen for: every single flipped bit changes the CRC.
    @Test func everySingleBitFlipIsDetected() {
        let message: [UInt8] = [0x58, 0x29, 0x59] + (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let good = SMBusPEC.crc(message)
        for i in message.indices {
            for bit in 0..<8 {
                var damaged = message
                damaged[i] ^= 1 << bit
                #expect(SMBusPEC.crc(damaged) != good)
            }
        }
    }

    /// Long transfers take sixteen bytes per step by carry-less multiplication
    /// where the CPU has it and eight by table otherwise: every length and
    /// starting value gives what one byte at a time (a non-contiguous
    /// sequence) gives, on both paths.
    @Test func sixteenAndEightBytesAtATimeGiveTheByteAtATimeCRC() {
        var state: UInt64 = 0x5EED
        let message: [UInt8] = (0..<4100).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        for length in Array(0...300) + [1024, 4095, 4096, 4097, 4100] {
            for start: UInt8 in [0, 0x5A, 0xFF] {
                let contiguous = SMBusPEC.crc(message[0..<length], startingAt: start)
                let byteByByte = SMBusPEC.crc(message[0..<length].lazy.map { $0 }, startingAt: start)
                let bySlices = message.withUnsafeBufferPointer {
                    SMBusPEC.crcBySlices(UnsafeBufferPointer(rebasing: $0[0..<length]), startingAt: start)
                }
                if contiguous != byteByByte || bySlices != byteByByte {
                    Issue.record("length \(length) from \(start): \(contiguous), by slices \(bySlices), one byte at a time \(byteByByte)")
                }
            }
        }
    }
}
