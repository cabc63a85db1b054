/// The logical level of a GPIO line (after any active-low inversion).
public enum GPIOLevel: Sendable, Hashable {
    case low
    case high

    public init(_ isHigh: Bool) { self = isHigh ? .high : .low }

    public var isHigh: Bool { self == .high }
}

public enum GPIOEdge: Sendable, Hashable {
    case rising
    case falling
}

/// An edge seen on an input line, stamped on CLOCK_MONOTONIC (or the virtual
/// clock of a simulated board) so that edges and power samples share a time base.
public struct GPIOEdgeEvent: Sendable, Hashable {
    public var edge: GPIOEdge
    public var timestampNanoseconds: UInt64

    public init(edge: GPIOEdge, timestampNanoseconds: UInt64) {
        self.edge = edge
        self.timestampNanoseconds = timestampNanoseconds
    }
}

/// A line this process drives (RESET, an inference marker).
public protocol GPIOOutputLine {
    mutating func set(_ level: GPIOLevel) throws(HALError)
}

/// A line this process reads, with edge events (READY/IRQ).
public protocol GPIOInputLine {
    mutating func level() throws(HALError) -> GPIOLevel
    /// Waits for the next edge. Returns nil when `timeoutSeconds` passes
    /// without one; the limit is always explicit.
    mutating func waitForEdge(timeoutSeconds: Double) throws(HALError) -> GPIOEdgeEvent?
}
