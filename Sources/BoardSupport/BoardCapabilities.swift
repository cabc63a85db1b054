import CIMEmulation
import CIMHAL
import CIMSimulator

/// Scans the board's bus and checks every device its file names (the check
/// `cimfw probe` prints).
public protocol BusScan: BoardCapability {
    func scan() -> BoardProbe.Report
}

/// Transient faults put on the board's bus (an emulated board's): for soak
/// runs and tests.
public protocol FaultInjection: BoardCapability {
    var emulatedBus: EmulatedI2CBus { get }
}

/// A simulated accelerator behind the board (a simulated board, or the
/// macro behind an emulated eval board): its energy model, its die's
/// thermal chamber, its MVM timing. The accelerator itself is there for
/// what only a simulator can do (inject stuck cells, script the die's
/// temperature): simulator tools and tests, never firmware or evaluation.
public final class SimulatedMacro: EnergyAccount, ThermalControl, MVMTimingModel {
    public let accelerator: SimulatedAccelerator

    init(_ accelerator: SimulatedAccelerator) { self.accelerator = accelerator }

    public var energyTotals: EnergyTotals {
        let ledger = accelerator.ledger
        return EnergyTotals(boardJoules: ledger.totalJoules, coreJoules: ledger.mvm.totalJoules, breakdown: ledger.breakdown,
                            seconds: ledger.elapsedSeconds)
    }

    public func holdDie(atCelsius celsius: Double) { accelerator.thermal = .fixed(celsius: celsius) }

    public func rampDie(fromCelsius from: Double, toCelsius to: Double, overSeconds seconds: Double) {
        accelerator.thermal = .ramp(startCelsius: from, endCelsius: to, startSeconds: accelerator.nowSeconds, durationSeconds: seconds)
    }

    public func dieCelsius(atSeconds seconds: Double) -> Double { accelerator.thermal.celsius(atSeconds: seconds) }

    public var nowSeconds: Double { accelerator.nowSeconds }

    public var secondsPerMVM: (array: Double, hostLink: Double) { accelerator.secondsPerMVM }
}

/// The self-test of a board with a bus: every device its file names must
/// answer as the file says.
final class BoardBus: SelfTest, BusScan {
    private let run: () -> BoardProbe.Report

    init(_ run: @escaping () -> BoardProbe.Report) { self.run = run }

    func scan() -> BoardProbe.Report { run() }

    func selfTest() throws(HALError) -> [String] {
        let report = run()
        if let bad = report.checks.first(where: { !$0.matches }) {
            throw .invalidArgument("board file expects \(bad.expected) at 0x\(String(bad.address, radix: 16)); found \(bad.found.map { "\($0)" } ?? "nothing")")
        }
        return report.checks.map { "0x\(String($0.address, radix: 16)): \($0.expected), ok\($0.verified ? "" : " (unverified)")" }
    }
}

/// The self-test of a simulated board: nothing to probe, so it says what answers.
final class SimulatedBoardSelfTest: SelfTest {
    private let accelerator: SimulatedAccelerator
    private let monitors: [any PowerMonitor]

    init(accelerator: SimulatedAccelerator, monitors: [any PowerMonitor]) {
        self.accelerator = accelerator
        self.monitors = monitors
    }

    func selfTest() throws(HALError) -> [String] {
        let g = accelerator.geometry
        return ["simulated accelerator: \(g.tiles) tiles of \(g.rows)x\(g.columns), answers"]
            + monitors.map { "power: rail \($0.railName) from the energy model" }
    }
}

/// The emulated bus of an emulated board.
final class EmulatedBusAccess: FaultInjection {
    let emulatedBus: EmulatedI2CBus

    init(_ bus: EmulatedI2CBus) { emulatedBus = bus }
}
