/// What a run did, for the closing summary (text or JSON).
public struct RunSummary: Sendable, Hashable, Codable {
    public var board: String
    public var firmware: String
    public var seed: UInt64?
    /// Time on the board's clock (virtual on simulated boards).
    public var boardSeconds: Double
    /// Time on this machine's clock.
    public var hostSeconds: Double
    /// Audio consumed, seconds (a looped file counts every loop).
    public var streamSeconds: Double
    public var inferences: Int
    /// Windows given up after their bus retries: the loop goes on with the next hop.
    public var inferencesSkipped: Int
    public var detections: Int
    public var detectionsByKeyword: [String: Int]
    public var energyPerInferenceMedianJoules: Double?
    /// Board time of the median inference, over which its energy was measured.
    public var inferenceMedianSeconds: Double?
    public var energySource: String
    /// The power monitor's samples, recovered retries, missed samples, drops
    /// and returns (zeros on a board without one).
    public var powerMonitor: EnergyMeter.Counts
    public var averagePowerWatts: Double?
    public var calibrations: Int
    public var calibrationsByReason: [String: Int]
    public var faults: Int
    public var faultsByKind: [String: Int]
    public var deadlineMisses: Int
    public var tileReprograms: Int
    public var redeployments: Int
    public var logPath: String?
    public var logRecords: Int
    public var stopReason: String
    public var medianLatencyMilliseconds: Double?
}
