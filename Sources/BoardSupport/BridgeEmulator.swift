#if canImport(Glibc)
import CIMEmulation
import CIMHAL
import CIMLinux
import Glibc

/// An emulated board's devices served to a real kernel: every transfer on
/// the cimbridge module's adapters is answered by the same device models an
/// emulated board's drivers talk to in process (`EvalBoardModel` over the
/// simulated macro, the INA models on its supply), and its RESET, READY and
/// marker lines are the far ends of a gpio-sim chip labelled as the board
/// file's `gpio.chip`. `cimfw emulate` runs one.
///
/// Board time is the models' virtual time: it moves with the operations the
/// eval board runs and with the waits a firmware asks for through the bus
/// time device (`timeAddress`), so a firmware that keeps that clock sees the
/// energy and timing of the emulated board itself.
public final class BridgeEmulator {
    public struct Settings: Sendable {
        public var bridgePath = "/dev/cimbridge"
        /// Where the bus time device answers; nil: no time device.
        public var timeAddress: UInt8? = 0x1F
        /// The errno for an address nobody answers (ENXIO as i2c-rk3x, EREMOTEIO as bcm2835/designware, EIO).
        public var nackErrno: Int32 = 6
        /// How often the RESET and marker lines are sampled while no transfer
        /// comes. Each look is a wake-up and two sysfs reads, which a slow
        /// (emulated) CPU pays for while the firmware computes between transfers.
        public var idlePollSeconds = 0.05
        public init() {}
    }

    /// What was served, for the summary `cimfw emulate` prints when it stops.
    public struct Counts: Sendable, Hashable {
        public var transfers = 0
        public var byAdapter: [Int: Int] = [:]
        /// Answered transfers by the address of their first message.
        public var byAddress: [UInt16: Int] = [:]
        public var nacks = 0
        public var failed = 0
        public var markerRises = 0
        public var resets = 0
        public var readyEdges = 0
        public var boardSeconds = 0.0
    }

    public private(set) var counts = Counts()
    public let gpio: GPIOSimChip
    private let rig: EmulatedRig
    private let bridge: LinuxI2CBridge
    private let c: HardwareBoardConfiguration
    private let settings: Settings
    private var readyChanges: [GPIOLevel] = []
    private var marker: GPIOLevel = .low
    private var reset: GPIOLevel = .high

    public init(_ c: HardwareBoardConfiguration, settings: Settings = Settings()) throws(HALError) {
        guard c.backend == .emulated else {
            throw .invalidArgument("board \(c.name) is backend \"\(c.backend.rawValue)\"; cimfw emulate serves an emulated board's models (backend = \"emulated\")")
        }
        rig = try EmulatedRig(c)
        self.c = c
        self.settings = settings
        if let a = settings.timeAddress {
            let address = try I2CAddress(a)
            guard rig.bus.device(at: a) == nil else {
                throw .invalidArgument("the bus time device's address \(address) is taken by a device of board \(c.name)")
            }
            rig.bus.attach(VirtualTimeModel(clock: rig.time, address: address, wait: rig.clock.wait), at: address)
        }
        bridge = try LinuxI2CBridge(path: settings.bridgePath)
        gpio = try GPIOSimChip(name: "cimfw-emulate-\(getpid())", label: c.gpioChip, lineCount: 3,
                               lines: [c.resetLine: 0, c.readyLine: 1, c.markerLine: 2])
        // RESET has a pull-up on the board: released, or before anyone holds it, it reads high.
        try gpio.drive(c.resetLine, to: .high)
        try gpio.drive(c.readyLine, to: rig.chip.level(of: c.readyLine) ?? .high)
        rig.chip.observe(c.readyLine) { [weak self] level in self?.readyChanges.append(level) }
    }

    /// Serves transfers until `shouldStop` says so (checked between transfers
    /// and at least every `idlePollSeconds`).
    public func serve(until shouldStop: () -> Bool) throws(HALError) {
        while !shouldStop() {
            let request = try bridge.next(timeoutSeconds: settings.idlePollSeconds)
            // RESET matters to the eval board's next transfer; the marker is
            // only counted, so it is sampled while idle and every 64 transfers.
            guard let request else {
                try sampleLines(marker: true)
                continue
            }
            if request.messages.contains(where: { $0.address == UInt16(c.evalBoardAddress) }) || counts.transfers % 64 == 0 {
                try sampleLines(marker: counts.transfers % 64 == 0)
            }
            try answer(request)
            try flushReady()
        }
        counts.boardSeconds = rig.time.nowSeconds
        gpio.tearDown()
    }

    /// The firmware's side of RESET and the marker, as gpio-sim reports them.
    private func sampleLines(marker sampleMarker: Bool) throws(HALError) {
        let r = try gpio.level(of: c.resetLine)
        if r != reset {
            reset = r
            if r == .low { counts.resets += 1 }
            try rig.chip.drive(c.resetLine, to: r)
        }
        guard sampleMarker else { return }
        let m = try gpio.level(of: c.markerLine)
        if m != marker {
            marker = m
            if m == .high { counts.markerRises += 1 }
        }
    }

    /// READY's edges, in order, onto the gpio-sim line before the transfer
    /// that caused them is answered: the firmware's wait finds them queued.
    private func flushReady() throws(HALError) {
        for level in readyChanges {
            try gpio.drive(c.readyLine, to: level)
            counts.readyEdges += 1
        }
        readyChanges.removeAll(keepingCapacity: true)
    }

    private func answer(_ request: LinuxI2CBridge.Request) throws(HALError) {
        counts.transfers += 1
        counts.byAdapter[request.adapter, default: 0] += 1
        // Consecutive messages to one address are one transaction on the emulated bus.
        var reads: [[UInt8]] = []
        var index = 0
        while index < request.messages.count {
            let address = request.messages[index].address
            var operations: [I2COperation] = []
            while index < request.messages.count, request.messages[index].address == address {
                let m = request.messages[index]
                operations.append(m.isRead ? .read(count: m.length) : .write(m.bytes))
                index += 1
            }
            guard address <= 0x7F, let target = try? I2CAddress(UInt8(address)) else {
                counts.nacks += 1
                return try bridge.answer(request, errno: settings.nackErrno)
            }
            do throws(HALError) {
                reads += try rig.bus.transaction(operations, at: target)
            } catch {
                try flushReady()
                return try bridge.answer(request, errno: errno(for: error))
            }
        }
        try bridge.answer(request, reads: reads)
        if let first = request.messages.first { counts.byAddress[first.address, default: 0] += 1 }
    }

    /// The errno a Linux adapter reports for what the model did.
    private func errno(for error: HALError) -> Int32 {
        switch error {
        case .noAcknowledge:
            counts.nacks += 1
            return settings.nackErrno
        case .timeout:
            counts.failed += 1
            return LinuxI2CErrno.etimedout
        case .arbitrationLost:
            counts.failed += 1
            return LinuxI2CErrno.eagain
        case let .io(e, _):
            counts.failed += 1
            return e
        case .busy, .invalidArgument, .unsupported:
            counts.failed += 1
            return LinuxI2CErrno.eio
        }
    }
}
#endif
