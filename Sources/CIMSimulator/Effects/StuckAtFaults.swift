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

extension StuckAtFaults: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("enabled", .flag(\.enabled), optional: .flag(false)),
        .init("on_rate", .real(\.stuckOnRate, range: 0...1, fileToModel: 1), whenOff: .real(0)),
        .init("off_rate", .real(\.stuckOffRate, range: 0...1, fileToModel: 1), whenOff: .real(0)),
    ]

    @Sendable static func violation(_ c: SimulatorConfiguration) -> ParameterViolation? {
        let s = c.stuckAt
        guard s.stuckOnRate + s.stuckOffRate > 1 else { return nil }
        return ParameterViolation(key: "stuck_at.off_rate", related: ["stuck_at.on_rate"], value: ParameterViolation.format(s.stuckOffRate),
                                  expected: "stuck_at.on_rate + stuck_at.off_rate ≤ 1")
    }
}
