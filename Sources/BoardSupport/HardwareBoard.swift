import CIMDrivers
import CIMEmulation
import CIMHAL
import CIMSimulator
import KWS
#if canImport(Glibc)
import CIMLinux
#endif

/// Opens a hardware board file: the eval-board driver and the power-monitor
/// drivers on /dev (backend "linux"), or the very same drivers on an emulated
/// bus whose device models front a simulated accelerator (backend "emulated").
public enum HardwareBoard {
    public static func open(_ c: HardwareBoardConfiguration) throws(HALError) -> Board {
        switch c.backend {
        case .emulated:
            let rig = try EmulatedRig(c)
            let reset = try rig.chip.output(c.resetLine), ready = try rig.chip.input(c.readyLine)
            let accelerator = try EvalBoard(bus: rig.bus, address: try I2CAddress(c.evalBoardAddress), reset: reset, ready: ready,
                                            timeouts: timeouts(c), attempts: c.retries + 1, prefersLongTransfers: c.longTransfers,
                                            prefersCombinedTransactions: c.combinedTransactions)
            let monitors = try powerMonitors(on: rig.bus, c, clock: rig.clock.now, delay: rig.clock.wait)
            // The eval board's firmware verifies with the simulated macro's own settings.
            return Board(BoardDevices(
                name: c.name, accelerator: accelerator, powerMonitors: monitors, marker: try rig.chip.output(c.markerLine),
                clock: rig.clock, programmingPolicy: rig.accelerator.configuration.defaultPolicy,
                calibrationMethod: .referenceInputs(count: rig.accelerator.configuration.calibration.referenceVectors),
                claimedPeakTOPS: c.claimedPeakTOPS, backendName: "emulated",
                capabilities: [SimulatedMacro(rig.accelerator),
                               BoardBus { var bus: any I2CBus = rig.bus; return BoardProbe.run(&bus, against: c) },
                               EmulatedBusAccess(rig.bus)]))
        case .linux:
            #if canImport(Glibc)
            guard c.hasEvalBoard, c.hasGPIO else {
                throw .invalidArgument("board \(c.name) has no \(c.hasEvalBoard ? "[gpio]" : "[eval_board]") table: the firmware drives an eval board and its RESET, READY and marker lines (cimfw probe and cimfw power need neither)")
            }
            let bus = try LinuxI2CBus(bus: c.i2cBus, forceAddress: c.forceAddress)
            let chip = try LinuxGPIOChip(c.gpioChip)
            let reset = try chip.requestOutput(try .named(c.resetLine), initial: .high)
            let ready = try chip.requestEdgeInput(try .named(c.readyLine))
            let marker = try chip.requestOutput(try .named(c.markerLine), initial: .low)
            let clock = try boardClock(c, bus: bus)
            let accelerator = try EvalBoard(bus: bus, address: try I2CAddress(c.evalBoardAddress), reset: reset, ready: ready,
                                            timeouts: timeouts(c), attempts: c.retries + 1, prefersLongTransfers: c.longTransfers,
                                            prefersCombinedTransactions: c.combinedTransactions)
            let monitors = try powerMonitors(on: bus, c, clock: clock.now, delay: clock.wait)
            return Board(BoardDevices(
                name: c.name, accelerator: accelerator, powerMonitors: monitors, marker: marker, clock: clock,
                programmingPolicy: Board.hardwareProgrammingPolicy, calibrationMethod: Board.hardwareCalibrationMethod,
                claimedPeakTOPS: c.claimedPeakTOPS, backendName: "hardware",
                capabilities: [BoardBus { var probed: any I2CBus = bus; return BoardProbe.run(&probed, against: c) }]))
            #else
            throw .unsupported("the linux backend needs Linux (i2c-dev, libgpiod)")
            #endif
        }
    }

    /// The power monitors alone, for `cimfw power`: the eval board is not
    /// touched, so power can be logged while another process drives it, or
    /// with no eval board fitted.
    public static func openPowerMonitors(_ c: HardwareBoardConfiguration) throws(HALError) -> (monitors: [any PowerMonitor], clock: BoardClock) {
        switch c.backend {
        case .emulated:
            let rig = try EmulatedRig(c)
            return (try powerMonitors(on: rig.bus, c, clock: rig.clock.now, delay: rig.clock.wait), rig.clock)
        case .linux:
            #if canImport(Glibc)
            let bus = try LinuxI2CBus(bus: c.i2cBus, forceAddress: c.forceAddress)
            let clock = try boardClock(c, bus: bus)
            return (try powerMonitors(on: bus, c, clock: clock.now, delay: clock.wait), clock)
            #else
            throw .unsupported("the linux backend needs Linux (i2c-dev, libgpiod)")
            #endif
        }
    }

    /// The board's I2C bus alone, for `cimfw probe`: nothing is configured.
    public static func openBus(_ c: HardwareBoardConfiguration) throws(HALError) -> any I2CBus {
        switch c.backend {
        case .emulated:
            return try EmulatedRig(c).bus
        case .linux:
            #if canImport(Glibc)
            return try LinuxI2CBus(bus: c.i2cBus, forceAddress: c.forceAddress)
            #else
            throw .unsupported("the linux backend needs Linux (i2c-dev, libgpiod)")
            #endif
        }
    }

    #if canImport(Glibc)
    /// CLOCK_MONOTONIC, or the virtual time of a `cimfw emulate` behind the
    /// bus (`[clock] source = "bus"`), checked to answer before it is used.
    static func boardClock(_ c: HardwareBoardConfiguration, bus: LinuxI2CBus) throws(HALError) -> BoardClock {
        switch c.clock {
        case .monotonic:
            return .monotonic
        case let .bus(address):
            let device = BusTimeDevice(bus: bus, address: try I2CAddress(address), attempts: c.retries + 1,
                                       monotonic: BoardClock.monotonic.now)
            do throws(HALError) { _ = try device.read() } catch {
                throw .unsupported("board \(c.name) takes its time from the bus time device at \(HALError.hex(address)) on \(bus.path) ([clock] source = \"bus\"), which does not answer (\(error)); is cimfw emulate serving this bus?")
            }
            return device.boardClock
        }
    }
    #endif

    /// A bus fault a repeat may cure (a damaged read shows as EBADMSG).
    static func transient(_ error: HALError) -> Bool {
        switch error {
        case .noAcknowledge, .timeout, .arbitrationLost: true
        case let .io(errno, _): errno == SMBusPEC.mismatchErrno
        case .busy, .invalidArgument, .unsupported: false
        }
    }

    static func timeouts(_ c: HardwareBoardConfiguration) -> EvalBoardTimeouts {
        EvalBoardTimeouts(programSeconds: Double(c.programTimeoutMilliseconds) / 1000,
                          multiplySeconds: Double(c.multiplyTimeoutMilliseconds) / 1000,
                          calibrateSeconds: Double(c.calibrateTimeoutMilliseconds) / 1000,
                          resetSeconds: Double(c.resetTimeoutMilliseconds) / 1000)
    }

    /// One driver per `[power.<rail>]`, identified and configured; an INA3221
    /// serving several rails is one chip with one view per channel.
    /// Set-up is identification and absolute register writes: idempotent, so
    /// each step is repeated after a transient bus fault, like every other
    /// boot step. `setUp: false` makes drivers without touching the bus.
    static func powerMonitors<Bus: I2CBus>(on bus: Bus, _ c: HardwareBoardConfiguration, setUp: Bool = true,
                                          clock: @escaping () -> Double, delay: @escaping (Double) -> Void) throws(HALError) -> [any PowerMonitor] {
        func step(_ body: () throws(HALError) -> Void) throws(HALError) {
            guard setUp else { return }
            var attempt = 1
            while true {
                do throws(HALError) { return try body() } catch {
                    guard attempt < max(1, c.retries + 1), transient(error) else { throw error }
                    attempt += 1
                }
            }
        }
        // One chip per address (a multi-channel chip serves several rails);
        // the monitors keep the file's order of rails.
        var byRail: [String: any PowerMonitor] = [:]
        var opened: Set<UInt8> = []
        for m in c.powerMonitors where opened.insert(m.address).inserted {
            let rails = c.powerMonitors.filter { $0.address == m.address }
            let made = try m.chip.chip.monitors(on: bus, at: try I2CAddress(m.address), rails: rails.map(\.railSettings),
                                                clock: clock, delay: delay) { (body: () throws(HALError) -> Void) throws(HALError) in
                try step(body)
            }
            for monitor in made { byRail[monitor.railName] = monitor }
        }
        var monitors: [any PowerMonitor] = []
        for m in c.powerMonitors {
            guard let monitor = byRail[m.rail] else {
                throw .invalidArgument("rail \(m.rail): no monitor was made for it on the \(m.chip.partNumber) at 0x\(String(m.address, radix: 16))")
            }
            monitors.append(monitor)
        }
        return monitors
    }
}

/// The devices of an emulated hardware board: the simulated macro behind an
/// eval-board model, an INA model per monitor fed from the simulated supply,
/// RESET/READY/marker on a virtual GPIO chip, all on one emulated bus and one
/// virtual time base.
struct EmulatedRig {
    let bus: EmulatedI2CBus
    let chip: VirtualGPIOChip
    let accelerator: SimulatedAccelerator
    let clock: BoardClock
    let time: VirtualClock

    init(_ c: HardwareBoardConfiguration) throws(HALError) {
        guard let simulation = c.simulation else {
            throw .invalidArgument("emulated board \(c.name) names no simulated macro (emulation.simulation)")
        }
        let time = VirtualClock()
        let accelerator = try SimulatedAccelerator(configuration: simulation)
        let chip = VirtualGPIOChip(label: c.gpioChip, clock: time)
        chip.addLine(c.resetLine, level: .high)
        chip.addLine(c.readyLine, level: .high)
        chip.addLine(c.markerLine, level: .low)
        let bus = EmulatedI2CBus(seed: c.faults.isEmpty ? simulation.seed : c.faults.seed)
        bus.now = { time.nowSeconds }
        let f = c.faults
        if f.nackRate > 0 { bus.faults.append(.nackRate(f.nackRate)) }
        if f.timeoutRate > 0 { bus.faults.append(.timeoutRate(f.timeoutRate)) }
        if f.corruptReadRate > 0 { bus.faults.append(.corruptReadRate(f.corruptReadRate)) }
        if let a = f.vanishAddress { bus.faults.append(.vanishing(address: a, everySeconds: f.vanishEverySeconds, awaySeconds: f.vanishForSeconds)) }
        let model = try EvalBoardModel(accelerator: accelerator, address: try I2CAddress(c.evalBoardAddress), chip: chip,
                                       clock: time, resetLine: c.resetLine, readyLine: c.readyLine)
        // A macro that sequences on chip gives the board a sequencer (protocol
        // 1.4's program-and-run); the host finds it in CAPABILITIES and runs
        // each inference there. A host-driven macro's board has none.
        if simulation.execution.model == "on_chip" { model.sequencer = ProgramSequencer(accelerator: accelerator) }
        bus.attach(model, at: try I2CAddress(c.evalBoardAddress))
        let supply = SimulatedSupply(accelerator: accelerator)
        var attached: Set<UInt8> = []
        for m in c.powerMonitors where attached.insert(m.address).inserted {
            // Each channel's shunt (10 Ω where no rail uses it); the first rail
            // at the address carries the simulated board, any other channel
            // reads an idle, unloaded rail.
            let shunts = (1...max(1, m.chip.channels)).map { channel in
                Double(c.powerMonitors.first { $0.address == m.address && $0.channel == channel }?.rshuntMicroOhms ?? 10_000) * 1e-6
            }
            let loaded = m.channel
            let model = try INAModels.model(partNumber: m.chip.partNumber, clock: time, shuntOhms: shunts) { channel, _ in
                channel == loaded ? supply.reading() : (supply.busVolts, 0)
            }
            bus.attach(model, at: try I2CAddress(m.address))
        }
        self.bus = bus
        self.chip = chip
        self.accelerator = accelerator
        self.time = time
        // The models keep `time` in step with the accelerator while it works;
        // idle waits move both.
        clock = BoardClock(now: { time.nowSeconds }, wait: { seconds in
            time.advance(seconds: seconds)
            accelerator.advance(seconds: seconds)
        }, isVirtual: true)
    }
}
