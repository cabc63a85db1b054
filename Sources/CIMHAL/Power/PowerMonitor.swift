/// One reading of a supply rail.
public struct PowerSample: Sendable, Hashable, Codable {
    /// Seconds on the monitor's time base (monotonic, or the simulated clock).
    public var timestampSeconds: Double
    public var busVolts: Double
    public var currentAmps: Double
    public var powerWatts: Double

    public init(timestampSeconds: Double, busVolts: Double, currentAmps: Double, powerWatts: Double) {
        self.timestampSeconds = timestampSeconds
        self.busVolts = busVolts
        self.currentAmps = currentAmps
        self.powerWatts = powerWatts
    }
}

/// A power monitor on one rail (an INA226 on a board, or the simulator's own
/// energy model).
public protocol PowerMonitor {
    /// The rail this monitor measures, as named in the board file.
    var railName: String { get }
    mutating func sample() throws(HALError) -> PowerSample
}

/// A monitor whose readings are block averages over a conversion window
/// (which may be shorter than the time between reads) in steps of a power
/// LSB: an INA chip. Energy integration uses both to bound its error.
public protocol BlockAveragingPowerMonitor: PowerMonitor {
    var conversionWindowSeconds: Double { get }
    var powerResolutionWatts: Double { get }
}
