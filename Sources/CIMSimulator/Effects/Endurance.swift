/// Program cycles per cell. Past `limitCycles` a cell stops responding to
/// programming and keeps whatever conductance it last had (0 = unlimited).
public struct Endurance: Sendable, Hashable, Codable {
    public var limitCycles: Int

    public init(limitCycles: Int) { self.limitCycles = limitCycles }

    public static let unlimited = Endurance(limitCycles: 0)

    /// Whether a cell that has already been programmed `cycles` times accepts
    /// one more program cycle.
    @inlinable
    public func acceptsCycle(after cycles: Int) -> Bool {
        limitCycles == 0 || cycles < limitCycles
    }
}

extension Endurance: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("limit_cycles", .integer(\.limitCycles, range: 0...Int(Int32.max))),
    ]
}
