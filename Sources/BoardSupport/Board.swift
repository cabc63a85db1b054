import CIMHAL
import CIMSimulator
import Foundation

/// An assembled board: the HAL devices its file describes, opened. The one
/// place a backend is chosen; everything above talks to the protocols.
public final class Board {
    public let name: String
    public var accelerator: any CIMAccelerator
    public var powerMonitors: [any PowerMonitor]
    /// The inference marker (raised around a run of inferences, the MLPerf
    /// Tiny way); nil on a simulated board, which has no GPIO.
    public var marker: (any GPIOOutputLine)?
    /// The board's time base: virtual for simulated and emulated boards (a
    /// wait passes instantly and advances the model), monotonic on hardware.
    public let clock: BoardClock

    init(name: String, accelerator: any CIMAccelerator, powerMonitors: [any PowerMonitor],
         marker: (any GPIOOutputLine)? = nil, clock: BoardClock) {
        self.name = name
        self.accelerator = accelerator
        self.powerMonitors = powerMonitors
        self.marker = marker
        self.clock = clock
    }

    public static func open(_ description: BoardDescription) throws(HALError) -> Board {
        switch description {
        case let .simulated(configuration):
            let accelerator = try SimulatedAccelerator(configuration: configuration)
            return Board(name: configuration.name, accelerator: accelerator,
                         powerMonitors: [SimulatedPowerMonitor(railName: "board", accelerator: accelerator)],
                         clock: BoardClock(now: { accelerator.nowSeconds }, wait: { accelerator.advance(seconds: $0) }))
        case let .hardware(configuration):
            return try HardwareBoard.open(configuration)
        }
    }
}

/// How a board tells and passes time.
public struct BoardClock {
    public let now: () -> Double
    public let wait: (Double) -> Void

    public init(now: @escaping () -> Double, wait: @escaping (Double) -> Void) {
        self.now = now
        self.wait = wait
    }

    /// CLOCK_MONOTONIC seconds, the time base of libgpiod's edge events.
    public static var monotonic: BoardClock {
        BoardClock(
        now: {
            var t = timespec()
            clock_gettime(CLOCK_MONOTONIC, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        },
        wait: { seconds in if seconds > 0 { Thread.sleep(forTimeInterval: seconds) } })
    }
}
