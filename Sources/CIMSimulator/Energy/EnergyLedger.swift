import CIMHAL

/// The simulated board's clock and everything it has spent, by cause.
/// Static and board-overhead energy accrue with time whether or not the
/// arrays are busy: a board that idles still draws power.
public struct EnergyLedger: Sendable, Hashable, Codable {
    public private(set) var elapsedSeconds: Double = 0
    public private(set) var mvm = MVMEnergy()
    public private(set) var programmingJoules: Double = 0
    public private(set) var staticJoules: Double = 0
    public private(set) var boardOverheadJoules: Double = 0
    public private(set) var mvmCount: Int = 0

    public init() {}

    public var totalJoules: Double {
        mvm.totalJoules + programmingJoules + staticJoules + boardOverheadJoules
    }

    mutating func pass(seconds: Double, model: EnergyModel) {
        elapsedSeconds += seconds
        staticJoules += model.staticWatts * seconds
        boardOverheadJoules += model.boardOverheadWatts * seconds
    }

    mutating func recordMVM(_ energy: MVMEnergy) {
        mvm = mvm + energy
        mvmCount += 1
    }

    mutating func recordProgramming(joules: Double) { programmingJoules += joules }

    /// The digital side of an on-chip program, booked once per program.
    mutating func recordProgram(_ energy: ProgramEnergy) {
        mvm.peripheryJoules += energy.peripheryJoules
        mvm.bufferJoules += energy.bufferJoules
        mvm.controlJoules += energy.controlJoules
    }

    /// Every joule by the component that spent it.
    public var breakdown: EnergyBreakdown {
        EnergyBreakdown(dacJoules: mvm.dacJoules, cellReadJoules: mvm.cellReadJoules, adcJoules: mvm.adcJoules,
                        columnDigitalJoules: mvm.digitalJoules, bufferJoules: mvm.bufferJoules, controlJoules: mvm.controlJoules,
                        peripheryJoules: mvm.peripheryJoules, leakageJoules: staticJoules, boardOverheadJoules: boardOverheadJoules,
                        programmingJoules: programmingJoules)
    }
}
