import CIMHAL

/// A power monitor on the simulated board's supply: each sample reports the
/// average power since the previous sample, from the energy ledger, at the
/// configured supply voltage — what an INA226 averaging over its conversion
/// window would show.
public struct SimulatedPowerMonitor: ModelledPowerMonitor {
    public let railName: String
    private let accelerator: SimulatedAccelerator
    private var lastSeconds: Double
    private var lastJoules: Double

    public init(railName: String = "board", accelerator: SimulatedAccelerator) {
        self.railName = railName
        self.accelerator = accelerator
        lastSeconds = accelerator.ledger.elapsedSeconds
        lastJoules = accelerator.ledger.totalJoules
    }

    public mutating func sample() throws(HALError) -> PowerSample {
        let ledger = accelerator.ledger
        let volts = accelerator.configuration.energy.supplyVolts
        let dt = ledger.elapsedSeconds - lastSeconds
        // With no time elapsed there is no average to report; the idle draw is the honest reading.
        let watts = dt > 0
            ? (ledger.totalJoules - lastJoules) / dt
            : accelerator.configuration.energy.staticWatts + accelerator.configuration.energy.boardOverheadWatts
        lastSeconds = ledger.elapsedSeconds
        lastJoules = ledger.totalJoules
        return PowerSample(timestampSeconds: ledger.elapsedSeconds, busVolts: volts, currentAmps: watts / volts, powerWatts: watts)
    }
}
