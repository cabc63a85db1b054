import CIMHAL
import Testing

/// A bus that records every transaction and answers with canned bytes, so the
/// convenience methods can be checked against what actually goes on the wire.
struct RecordingI2CBus: I2CBus {
    struct Transaction: Equatable {
        var operations: [I2COperation]
        var address: I2CAddress
    }

    private(set) var transactions: [Transaction] = []
    /// Returned as-is as the read legs of every transaction.
    var replies: [[UInt8]] = []
    /// Thrown by every transaction (after it is recorded), when set.
    var failure: HALError?

    mutating func transaction(_ operations: [I2COperation], at address: I2CAddress) throws(HALError) -> [[UInt8]] {
        transactions.append(Transaction(operations: operations, address: address))
        if let failure { throw failure }
        return replies
    }
}

/// The three convenience calls a driver uses, so error behaviour can be
/// specified once for all of them.
enum I2CCall: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case write, read, writeRead

    var testDescription: String { rawValue }

    func perform(on bus: inout RecordingI2CBus, at address: I2CAddress) throws(HALError) {
        switch self {
        case .write: try bus.write([0x01, 0x02], to: address)
        case .read: _ = try bus.read(count: 2, from: address)
        case .writeRead: _ = try bus.writeRead([0x05], readCount: 2, at: address)
        }
    }
}

@Suite("I2CBus convenience methods")
struct I2CBusTests {
    let address: I2CAddress

    init() throws {
        address = try I2CAddress(0x40)
    }

    @Test("write(_:to:) is one transaction holding exactly one write leg")
    func writeIsOneWriteLeg() throws {
        var bus = RecordingI2CBus()
        try bus.write([0xDE, 0xAD, 0xBE], to: address)
        #expect(bus.transactions == [.init(operations: [.write([0xDE, 0xAD, 0xBE])], address: address)])
    }

    @Test("read(count:from:) is one transaction holding one read leg and returns its bytes")
    func readIsOneReadLeg() throws {
        var bus = RecordingI2CBus(replies: [[0x12, 0x34, 0x56]])
        let bytes = try bus.read(count: 3, from: address)
        #expect(bytes == [0x12, 0x34, 0x56])
        #expect(bus.transactions == [.init(operations: [.read(count: 3)], address: address)])
    }

    @Test("writeRead puts the write and the read in ONE transaction, write first")
    func writeReadIsOneTransaction() throws {
        var bus = RecordingI2CBus(replies: [[0xAB, 0xCD]])
        let bytes = try bus.writeRead([0x05], readCount: 2, at: address)
        #expect(bytes == [0xAB, 0xCD])
        // Two transactions would release the bus between pointer and data,
        // letting another controller move the register pointer.
        #expect(bus.transactions == [.init(operations: [.write([0x05]), .read(count: 2)], address: address)])
    }

    @Test("a backend that returns the wrong bytes for the read leg is an .io error",
          arguments: [I2CCall.read, .writeRead], [
              [[0x01]],                 // short
              [[0x01, 0x02, 0x03]],     // long
              [],                       // no read leg at all
              [[0x01, 0x02], [0x03, 0x04]],  // an extra leg
          ] as [[[UInt8]]])
    func wrongByteCountIsIOError(call: I2CCall, replies: [[UInt8]]) throws {
        var bus = RecordingI2CBus(replies: replies)
        let error = #expect(throws: HALError.self) { try call.perform(on: &bus, at: address) }
        guard case let .io(_, operation)? = error else {
            Issue.record("expected .io, got \(String(describing: error))")
            return
        }
        #expect(operation.contains("0x40"), "the message should name the device: \(operation)")
        #expect(bus.transactions.count == 1, "a bad reply must not be retried behind the caller's back")
    }

    @Test("an error from the transaction reaches the caller unchanged",
          arguments: I2CCall.allCases, [
              HALError.noAcknowledge(.address, address: 0x40),
              .noAcknowledge(.data, address: 0x40),
              .arbitrationLost(address: 0x40),
              .timeout(operation: "i2c transfer", limitSeconds: 0.5),
              .io(errno: 121, operation: "ioctl(I2C_RDWR)"),
          ])
    func transactionErrorPropagates(call: I2CCall, failure: HALError) {
        var bus = RecordingI2CBus(replies: [[0x00, 0x00]], failure: failure)
        #expect(throws: failure) { try call.perform(on: &bus, at: address) }
        #expect(bus.transactions.count == 1)
    }
}
