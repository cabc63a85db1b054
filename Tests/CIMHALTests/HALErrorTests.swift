import CIMHAL
import Testing

@Suite("HALError descriptions")
struct HALErrorTests {
    @Test("a NACK names the device in hex and which part went unacknowledged", arguments: [
        (NACKSource.address, "its address"),
        (.data, "a data byte"),
        (.unknown, "address or data"),
    ])
    func noAcknowledge(source: NACKSource, wording: String) {
        let text = HALError.noAcknowledge(source, address: 0x40).description
        #expect(text.contains("0x40"), "\(text)")
        #expect(text.contains(wording), "\(text)")
    }

    @Test("the three NACK sources read differently")
    func nackSourcesAreDistinguishable() {
        let texts = Set([NACKSource.address, .data, .unknown].map { HALError.noAcknowledge($0, address: 0x3c).description })
        #expect(texts.count == 3)
    }

    @Test("lost arbitration names the address in hex")
    func arbitrationLost() {
        #expect(HALError.arbitrationLost(address: 0x5a).description.contains("0x5a"))
    }

    @Test("timeout, io, busy, invalidArgument and unsupported carry their context into the text")
    func contextIsKept() {
        let timeout = HALError.timeout(operation: "wait for READY", limitSeconds: 0.25).description
        #expect(timeout.contains("wait for READY") && timeout.contains("0.25"), "\(timeout)")
        let io = HALError.io(errno: 121, operation: "ioctl(I2C_RDWR)").description
        #expect(io.contains("ioctl(I2C_RDWR)") && io.contains("121"), "\(io)")
        #expect(HALError.busy("held by kernel driver ina2xx").description.contains("held by kernel driver ina2xx"))
        #expect(HALError.invalidArgument("tile 9 is outside 0..<4").description.contains("tile 9 is outside 0..<4"))
        #expect(HALError.unsupported("bit-serial DAC").description.contains("bit-serial DAC"))
    }

    @Test("errors compare by kind and payload")
    func equality() {
        #expect(HALError.noAcknowledge(.address, address: 0x40) == .noAcknowledge(.address, address: 0x40))
        #expect(HALError.noAcknowledge(.address, address: 0x40) != .noAcknowledge(.data, address: 0x40))
        #expect(HALError.noAcknowledge(.address, address: 0x40) != .noAcknowledge(.address, address: 0x41))
    }
}
