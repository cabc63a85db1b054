import CIMSimulator

/// The supply rail of a simulated board as an INA model sees it: bus volts
/// from the board's energy model, and the current that carries the energy the
/// ledger booked since the previous reading (an idle board still draws its
/// static and board-overhead power).
///
/// The simulator keeps totals, not a waveform, so a reading is the average
/// since the last one — which is what an INA's block average reports anyway
/// when it is read once per conversion window.
public final class SimulatedSupply {
    public let accelerator: SimulatedAccelerator
    private var lastSeconds: Double
    private var lastJoules: Double
    private var lastWatts: Double

    public init(accelerator: SimulatedAccelerator) {
        self.accelerator = accelerator
        lastSeconds = accelerator.nowSeconds
        lastJoules = accelerator.ledger.totalJoules
        let e = accelerator.configuration.energy
        lastWatts = e.staticWatts + e.boardOverheadWatts
    }

    public var busVolts: Double { accelerator.configuration.energy.supplyVolts }

    /// Volts and amps now, averaged since the previous call.
    public func reading() -> (busVolts: Double, currentAmps: Double) {
        let now = accelerator.nowSeconds, joules = accelerator.ledger.totalJoules
        if now > lastSeconds {
            lastWatts = (joules - lastJoules) / (now - lastSeconds)
            lastSeconds = now
            lastJoules = joules
        }
        return (busVolts, lastWatts / busVolts)
    }
}
