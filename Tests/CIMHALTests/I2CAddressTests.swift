import CIMHAL
import Testing

@Suite("I2CAddress")
struct I2CAddressTests {
    @Test("addresses in 0x08...0x77 are accepted and keep their value", arguments: [UInt8(0x08), 0x09, 0x40, 0x76, 0x77])
    func acceptsValidRange(raw: UInt8) throws {
        let address = try I2CAddress(raw)
        #expect(address.rawValue == raw)
    }

    @Test("reserved addresses are rejected with .invalidArgument", arguments: [UInt8(0x00), 0x03, 0x07, 0x78, 0x7F, 0x80, 0xFF])
    func rejectsReserved(raw: UInt8) {
        let error = #expect(throws: HALError.self) { try I2CAddress(raw) }
        guard case let .invalidArgument(message)? = error else {
            Issue.record("expected .invalidArgument, got \(String(describing: error))")
            return
        }
        #expect(message.contains("0x08...0x77"), "the message should give the valid range: \(message)")
    }

    @Test("description is 0x and two lowercase hex digits", arguments: [
        (UInt8(0x40), "0x40"), (0x08, "0x08"), (0x0b, "0x0b"), (0x77, "0x77"), (0x2a, "0x2a"),
    ])
    func description(raw: UInt8, text: String) throws {
        #expect(try I2CAddress(raw).description == text)
    }

    @Test("addresses order by their raw value")
    func ordering() throws {
        let low = try I2CAddress(0x20), high = try I2CAddress(0x48)
        #expect(low < high)
        #expect(!(high < low))
        #expect(try [I2CAddress(0x70), high, low].sorted() == [low, high, I2CAddress(0x70)])
    }
}
