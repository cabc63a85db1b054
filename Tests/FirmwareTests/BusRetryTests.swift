import CIMHAL
import Testing
@testable import Firmware

@Suite("Bus retry with backoff")
struct BusRetryTests {
    final class TestClock {
        var seconds = 0.0
        var waits: [Double] = []
        var board: BoardClock {
            BoardClock(now: { self.seconds }, wait: { self.waits.append($0); self.seconds += $0 }, isVirtual: true)
        }
    }

    @Test func aTransientNACKIsRetriedWithDoublingBackoffUntilItSucceeds() throws {
        let clock = TestClock()
        var failuresLeft = 2
        var retried: [Int] = []
        let retry = BusRetry(attempts: 4, initialBackoffSeconds: 0.01, maxBackoffSeconds: 1)
        let value = try retry.run(clock: clock.board, onRetry: { _, attempt in retried.append(attempt) }) { () throws(HALError) -> Int in
            if failuresLeft > 0 { failuresLeft -= 1; throw .noAcknowledge(.address, address: 0x40) }
            return 7
        }
        #expect(value == 7)
        #expect(retried == [1, 2])
        #expect(clock.waits == [0.01, 0.02])
    }

    @Test func theLastErrorSurfacesWhenAttemptsRunOut() {
        let clock = TestClock()
        let retry = BusRetry(attempts: 3, initialBackoffSeconds: 0.5, maxBackoffSeconds: 0.8)
        #expect(throws: HALError.timeout(operation: "read", limitSeconds: 0.1)) {
            try retry.run(clock: clock.board) { () throws(HALError) -> Int in throw .timeout(operation: "read", limitSeconds: 0.1) }
        }
        #expect(clock.waits == [0.5, 0.8])
    }

    @Test func anInvalidArgumentIsNotRetried() {
        let clock = TestClock()
        var calls = 0
        #expect(throws: HALError.self) {
            try BusRetry(attempts: 5, initialBackoffSeconds: 0.01, maxBackoffSeconds: 1).run(clock: clock.board) { () throws(HALError) -> Int in
                calls += 1
                throw .invalidArgument("tile 99")
            }
        }
        #expect(calls == 1)
        #expect(clock.waits.isEmpty)
    }
}
