import CIMHAL

/// A GPIO chip in memory with named lines: RESET, READY/IRQ, inference
/// markers. An output line driven by the host and an input line watched by
/// the host can be the two ends of one emulated wire (`connect`).
public final class VirtualGPIOChip {
    public let label: String
    private let clock: VirtualClock
    private var levels: [String: GPIOLevel] = [:]
    private var edges: [String: [GPIOEdgeEvent]] = [:]
    private var observers: [String: [(GPIOLevel) -> Void]] = [:]

    public init(label: String = "virtual-gpio", clock: VirtualClock) {
        self.label = label
        self.clock = clock
    }

    public var lineNames: [String] { levels.keys.sorted() }

    /// Adds a line at a starting level.
    public func addLine(_ name: String, level: GPIOLevel = .low) {
        levels[name] = level
        edges[name] = []
    }

    public func level(of name: String) -> GPIOLevel? { levels[name] }

    /// Drives a line (from either side), recording the edge and telling observers.
    public func drive(_ name: String, to level: GPIOLevel) throws(HALError) {
        guard let old = levels[name] else { throw .invalidArgument("\(label) has no line named \(name)") }
        levels[name] = level
        guard old != level else { return }
        edges[name, default: []].append(GPIOEdgeEvent(edge: level == .high ? .rising : .falling,
                                                      timestampNanoseconds: clock.nowNanoseconds))
        for observer in observers[name] ?? [] { observer(level) }
    }

    /// Calls `observer` on every change of the line (a device model watching RESET, say).
    public func observe(_ name: String, _ observer: @escaping (GPIOLevel) -> Void) {
        observers[name, default: []].append(observer)
    }

    /// Removes and returns the oldest unread edge on a line.
    func takeEdge(_ name: String) -> GPIOEdgeEvent? {
        // In place: a copy out of the dictionary and back would allocate per edge.
        guard edges[name]?.isEmpty == false else { return nil }
        return edges[name]?.removeFirst()
    }

    public func output(_ name: String) throws(HALError) -> VirtualOutputLine {
        guard levels[name] != nil else { throw .invalidArgument("\(label) has no line named \(name)") }
        return VirtualOutputLine(chip: self, name: name)
    }

    public func input(_ name: String) throws(HALError) -> VirtualInputLine {
        guard levels[name] != nil else { throw .invalidArgument("\(label) has no line named \(name)") }
        return VirtualInputLine(chip: self, name: name)
    }
}

public struct VirtualOutputLine: GPIOOutputLine {
    let chip: VirtualGPIOChip
    public let name: String

    public mutating func set(_ level: GPIOLevel) throws(HALError) {
        try chip.drive(name, to: level)
    }
}

public struct VirtualInputLine: GPIOInputLine {
    let chip: VirtualGPIOChip
    public let name: String

    public mutating func level() throws(HALError) -> GPIOLevel {
        guard let level = chip.level(of: name) else { throw .invalidArgument("\(chip.label) has no line named \(name)") }
        return level
    }

    /// In virtual time nothing happens while the host waits: an edge is
    /// either already queued or does not come, and the wait returns nil.
    public mutating func waitForEdge(timeoutSeconds: Double) throws(HALError) -> GPIOEdgeEvent? {
        guard timeoutSeconds >= 0 else { throw .invalidArgument("timeout \(timeoutSeconds) s must be ≥ 0") }
        return chip.takeEdge(name)
    }
}
