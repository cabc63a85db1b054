import CIMDrivers
import CIMEmulation
import CIMHAL

/// Checks, on an emulated board, that nothing the drivers accept from a
/// faulty bus is wrong: every MULTIPLY's output codes against what the eval
/// board model computed, every power sample against the same registers read
/// with no faults at the same board time. Installs itself by wrapping the
/// board's accelerator and power monitors.
public final class SoakChecks {
    public struct Tally: Sendable, Hashable {
        public var multipliesChecked = 0
        public var wrongMultiplies = 0
        public var samplesChecked = 0
        public var wrongSamples = 0
        public var firstWrong: String?
    }

    public let bus: EmulatedI2CBus
    public private(set) var tally = Tally()
    let evalBoard: EvalBoardModel
    let link: () -> EvalBoardLinkCounts

    /// Wraps `board`'s accelerator and monitors; `c` is the file it was opened from.
    public init(board: Board, configuration c: HardwareBoardConfiguration) throws(HALError) {
        guard let bus = board.capability(FaultInjection.self)?.emulatedBus, c.backend == .emulated else {
            throw .unsupported("\(c.name) is not an emulated board: a soak needs the emulated bus (backend = \"emulated\")")
        }
        guard let model = bus.device(at: c.evalBoardAddress) as? EvalBoardModel else {
            throw .unsupported("\(c.name): no eval board model at 0x\(String(c.evalBoardAddress, radix: 16)) on the emulated bus")
        }
        self.bus = bus
        evalBoard = model
        model.recordsOutputs = true
        let driver = board.accelerator
        link = { (driver as? EvalBoard<EmulatedI2CBus, VirtualOutputLine, VirtualInputLine>)?.link ?? EvalBoardLinkCounts() }
        let truths = try HardwareBoard.powerMonitors(on: bus.faultFree, c, setUp: false, clock: board.clock.now, delay: { _ in })
        board.accelerator = CheckedAccelerator(driver, checks: self)
        board.powerMonitors = zip(board.powerMonitors, truths).map { CheckedMonitor(inner: $0, truth: $1, checks: self) }
    }

    /// What the eval-board driver's link faults cost so far.
    public var evalBoardLink: EvalBoardLinkCounts { link() }

    func checkMultiply(_ got: UnsafeMutableBufferPointer<Int32>, count: Int, tile: Int) {
        let truth = evalBoard.takeServedOutputs()
        tally.multipliesChecked += 1
        guard truth.count == count, (0..<count).allSatisfy({ got[$0] == truth[$0] }) else {
            tally.wrongMultiplies += 1
            if tally.firstWrong == nil { tally.firstWrong = "multiply on tile \(tile): \(count) codes accepted, the board computed \(truth.count) that differ" }
            return
        }
    }

    func discardServed() { _ = evalBoard.takeServedOutputs() }

    func checkSample(_ got: PowerSample, truth: PowerSample?, rail: String) {
        tally.samplesChecked += 1
        guard let truth, truth.busVolts == got.busVolts, truth.currentAmps == got.currentAmps, truth.powerWatts == got.powerWatts else {
            tally.wrongSamples += 1
            if tally.firstWrong == nil {
                tally.firstWrong = "rail \(rail): accepted \(got.powerWatts) W, \(got.busVolts) V, \(got.currentAmps) A; the registers hold \(truth.map { "\($0.powerWatts) W, \($0.busVolts) V, \($0.currentAmps) A" } ?? "nothing readable")"
            }
            return
        }
    }
}

/// The board's accelerator, with every multiply's codes checked.
final class CheckedAccelerator: CIMAccelerator {
    let inner: any CIMAccelerator
    unowned let checks: SoakChecks

    init(_ inner: any CIMAccelerator, checks: SoakChecks) {
        self.inner = inner
        self.checks = checks
    }

    var geometry: CIMGeometry { inner.geometry }

    func program(tile: Int, weights: WeightMatrix, policy: WriteVerifyPolicy) throws(HALError) -> ProgrammingReport {
        try inner.program(tile: tile, weights: weights, policy: policy)
    }

    func multiply(tile: Int, inputCodes: UnsafeBufferPointer<Int32>, outputCodes: UnsafeMutableBufferPointer<Int32>) throws(HALError) {
        try multiplyBatch(tile: tile, batchSize: 1, inputCodes: inputCodes, outputCodes: outputCodes)
    }

    func multiplyBatch(tile: Int, batchSize: Int, inputCodes: UnsafeBufferPointer<Int32>,
                       outputCodes: UnsafeMutableBufferPointer<Int32>) throws(HALError) {
        checks.discardServed()
        do throws(HALError) {
            try inner.multiplyBatch(tile: tile, batchSize: batchSize, inputCodes: inputCodes, outputCodes: outputCodes)
        } catch {
            checks.discardServed()
            throw error
        }
        checks.checkMultiply(outputCodes, count: batchSize * geometry.columns, tile: tile)
    }

    func calibrate(tile: Int, method: CalibrationMethod) throws(HALError) -> ColumnCalibration {
        try inner.calibrate(tile: tile, method: method)
    }

    func dieTemperatureCelsius() throws(HALError) -> Double { try inner.dieTemperatureCelsius() }

    func reset() throws(HALError) { try inner.reset() }
}

/// A power monitor whose every accepted sample is compared with the truth.
struct CheckedMonitor: PowerMonitor {
    var inner: any PowerMonitor
    var truth: any PowerMonitor
    unowned let checks: SoakChecks

    var railName: String { inner.railName }

    mutating func sample() throws(HALError) -> PowerSample {
        let got = try inner.sample()
        checks.checkSample(got, truth: try? truth.sample(), rail: railName)
        return got
    }
}
