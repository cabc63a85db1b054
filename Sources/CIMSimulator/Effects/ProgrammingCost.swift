/// The time and energy one program or verify pulse costs, and how many cells
/// are programmed at once.
public struct ProgrammingCost: Sendable, Hashable, Codable {
    public var pulseSeconds: Double
    public var pulseEnergyJoules: Double
    public var verifyReadSeconds: Double
    public var verifyReadEnergyJoules: Double
    public var cellsInParallel: Int

    public init(pulseSeconds: Double, pulseEnergyJoules: Double, verifyReadSeconds: Double,
                verifyReadEnergyJoules: Double, cellsInParallel: Int) {
        self.pulseSeconds = pulseSeconds
        self.pulseEnergyJoules = pulseEnergyJoules
        self.verifyReadSeconds = verifyReadSeconds
        self.verifyReadEnergyJoules = verifyReadEnergyJoules
        self.cellsInParallel = cellsInParallel
    }

    /// Energy is paid per pulse; time per pulse slot, where `serialPulses`
    /// sums, over groups of cells programmed together, the pulses of each
    /// group's slowest cell. Each pulse is followed by a verify read, except
    /// in single-shot mode.
    public func cost(pulses: Int, serialPulses: Int, verified: Bool) -> (seconds: Double, joules: Double) {
        let perPulseSeconds = pulseSeconds + (verified ? verifyReadSeconds : 0)
        let perPulseJoules = pulseEnergyJoules + (verified ? verifyReadEnergyJoules : 0)
        return (Double(serialPulses) * perPulseSeconds, Double(pulses) * perPulseJoules)
    }
}

extension ProgrammingCost: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("pulse_nanoseconds", .real(\.pulseSeconds, range: 0...1e9, fileToModel: 1e-9)),
        .init("pulse_energy_picojoules", .real(\.pulseEnergyJoules, range: 0...1e9, fileToModel: 1e-12)),
        .init("verify_read_nanoseconds", .real(\.verifyReadSeconds, range: 0...1e9, fileToModel: 1e-9)),
        .init("verify_read_energy_picojoules", .real(\.verifyReadEnergyJoules, range: 0...1e9, fileToModel: 1e-12)),
        .init("cells_in_parallel", .integer(\.cellsInParallel, range: 1...1_000_000)),
    ]
}
