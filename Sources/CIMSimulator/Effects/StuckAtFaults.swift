/// Cells stuck at Gmax (ON) or Gmin (OFF) from manufacture: they ignore
/// programming. Drawn once per tile at the configured rates.
public struct StuckAtFaults: Sendable, Hashable, Codable {
    public enum State: UInt8, Sendable {
        case healthy = 0
        case stuckOn = 1
        case stuckOff = 2
    }

    public var enabled: Bool
    public var stuckOnRate: Double
    public var stuckOffRate: Double

    public init(enabled: Bool, stuckOnRate: Double, stuckOffRate: Double) {
        self.enabled = enabled
        self.stuckOnRate = stuckOnRate
        self.stuckOffRate = stuckOffRate
    }

    public static let off = StuckAtFaults(enabled: false, stuckOnRate: 0, stuckOffRate: 0)

    public func drawMap(cells: Int, rng: inout SeededGenerator) -> [State] {
        guard enabled else { return [State](repeating: .healthy, count: cells) }
        return (0..<cells).map { _ in
            let u = rng.nextUnitDouble()
            if u < stuckOnRate { return .stuckOn }
            if u < stuckOnRate + stuckOffRate { return .stuckOff }
            return .healthy
        }
    }
}
