#if canImport(Glibc)
import CIMHAL
import CLinuxShim
import Glibc

/// A line this process drives, requested from a `LinuxGPIOChip`.
///
/// Not for concurrent use: a line has one owner (a driver), like a value.
/// The line keeps its chip open; it is released when the last reference goes.
public final class LinuxGPIOOutputLine: GPIOOutputLine {
    public let chip: LinuxGPIOChip
    public let offset: UInt32
    private let handle: OpaquePointer
    private let name: String

    init(chip: LinuxGPIOChip, offset: UInt32, line: LinuxGPIOLineID, initial: GPIOLevel, consumer: String) throws(HALError) {
        let name = "\(line) (offset \(offset)) on GPIO chip \(chip.identifier)"
        var requested: OpaquePointer?
        let result = cimfw_gpio_request_output(chip.handle, offset, consumer, initial.isHigh ? 1 : 0, &requested)
        guard result == 0, let requested else {
            throw LinuxGPIOErrno.error(-result, operation: "request \(name) as an output")
        }
        self.chip = chip
        self.offset = offset
        self.handle = requested
        self.name = name
    }

    deinit {
        cimfw_gpio_release(handle)
    }

    public func set(_ level: GPIOLevel) throws(HALError) {
        let result = cimfw_gpio_set_value(handle, level.isHigh ? 1 : 0)
        guard result == 0 else {
            throw LinuxGPIOErrno.error(-result, operation: "drive \(name) \(level.isHigh ? "high" : "low")")
        }
    }
}

/// A line this process reads, with rising and falling edge events.
///
/// Event timestamps are CLOCK_MONOTONIC nanoseconds: libgpiod v2 is asked
/// for that clock; under v1 the kernel uses it since Linux 5.7 (before that,
/// CLOCK_REALTIME, which this type cannot detect).
/// Not for concurrent use, like `LinuxGPIOOutputLine`.
public final class LinuxGPIOInputLine: GPIOInputLine {
    public let chip: LinuxGPIOChip
    public let offset: UInt32
    private let handle: OpaquePointer
    private let name: String

    init(chip: LinuxGPIOChip, offset: UInt32, line: LinuxGPIOLineID, consumer: String) throws(HALError) {
        let name = "\(line) (offset \(offset)) on GPIO chip \(chip.identifier)"
        var requested: OpaquePointer?
        let result = cimfw_gpio_request_both_edges(chip.handle, offset, consumer, &requested)
        guard result == 0, let requested else {
            throw LinuxGPIOErrno.error(-result, operation: "request \(name) as an input with edge events")
        }
        self.chip = chip
        self.offset = offset
        self.handle = requested
        self.name = name
    }

    deinit {
        cimfw_gpio_release(handle)
    }

    public func level() throws(HALError) -> GPIOLevel {
        let result = cimfw_gpio_get_value(handle)
        guard result >= 0 else { throw LinuxGPIOErrno.error(-result, operation: "read \(name)") }
        return GPIOLevel(result == 1)
    }

    public func waitForEdge(timeoutSeconds: Double) throws(HALError) -> GPIOEdgeEvent? {
        let limit = try Self.nanoseconds(timeoutSeconds)
        let deadline = Self.monotonicNanoseconds().addingReportingOverflow(limit)
        var remaining = limit
        while true {
            let ready = cimfw_gpio_wait_edge(handle, remaining)
            if ready == -EINTR {
                // A signal cut the poll short; wait out the rest of the limit.
                guard !deadline.overflow else { continue }
                let now = Self.monotonicNanoseconds()
                guard now < deadline.partialValue else { return nil }
                remaining = deadline.partialValue - now
                continue
            }
            guard ready >= 0 else {
                throw LinuxGPIOErrno.error(-ready, operation: "wait for an edge on \(name)")
            }
            guard ready == 1 else { return nil }
            var timestamp: UInt64 = 0
            var rising: Int32 = 0
            let read = cimfw_gpio_read_edge(handle, &timestamp, &rising)
            guard read == 0 else {
                throw LinuxGPIOErrno.error(-read, operation: "read an edge event from \(name)")
            }
            return GPIOEdgeEvent(edge: rising != 0 ? .rising : .falling, timestampNanoseconds: timestamp)
        }
    }

    /// A timeout in seconds as the nanoseconds libgpiod takes: finite and
    /// not negative (libgpiod v2 would block forever on a negative value);
    /// limits beyond Int64 nanoseconds (about 292 years) are clamped.
    static func nanoseconds(_ seconds: Double) throws(HALError) -> Int64 {
        guard seconds.isFinite, seconds >= 0 else {
            throw .invalidArgument("edge wait timeout must be a finite number of seconds, 0 or more, got \(seconds)")
        }
        let nanoseconds = (seconds * 1e9).rounded(.up)
        guard nanoseconds < Double(Int64.max) else { return Int64.max }
        return Int64(nanoseconds)
    }

    private static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        // CLOCK_MONOTONIC cannot fail with a valid pointer (clock_gettime(2)).
        _ = clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
#endif
