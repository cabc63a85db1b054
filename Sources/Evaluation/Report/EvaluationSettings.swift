/// How much `cimfw evaluate` measures. `full` follows the article and the
/// MLPerf Tiny energy protocol; `quick` is a smoke test of every metric.
public struct EvaluationSettings: Sendable, Codable, Hashable {
    public var quick: Bool
    /// Test clips used for every accuracy figure (nil: all of them).
    public var clipLimit: Int?
    /// MLPerf Tiny: 5 runs, median.
    public var energyRuns: Int
    /// MLPerf Tiny: each run at least 10 s of continuous inference.
    public var minimumRunSeconds: Double
    public var temperaturesCelsius: [Double]
    public var referenceCelsius: Double
    /// Ages after programming for the drift sweep.
    public var driftAges: [DriftAge]
    /// How often the firmware calibrates (the manifest's 300 s).
    public var calibrationPeriodSeconds: Double
    public var arrayErrorBlocks: Int
    public var arrayErrorVectors: Int
    /// Active power of one busy CPU core, for the measured-CPU baseline.
    public var cpuActiveWatts: Double
    /// Test clips run through the model together for every accuracy figure:
    /// each tile product one batched MVM for all of them (the energy runs
    /// classify one clip at a time, as a device streaming audio does).
    public var batch: Int

    /// Sixteen: the emulated eval board's batch limit (one bus command
    /// carries the whole batch), and past it the simulator gains nothing
    /// (docs/performance.md).
    public static let defaultBatch = 16

    public struct DriftAge: Sendable, Codable, Hashable {
        public var label: String
        public var seconds: Double
        public init(label: String, seconds: Double) {
            self.label = label
            self.seconds = seconds
        }
    }

    /// Raspberry Pi 4 Model B: 2.7 W idle, 6.4 W with `stress --cpu 4`
    /// (RasPi.TV power measurements, 2019), so ≈ 0.93 W per busy Cortex-A72
    /// core above idle: the marginal power of running the float model on
    /// the edge host a buyer would otherwise use.
    public static let raspberryPi4WattsPerCore = (6.4 - 2.7) / 4
    public static let raspberryPi4WattsSource = "Raspberry Pi 4 B: 2.7 W idle, 6.4 W under stress --cpu 4 (RasPi.TV, 2019): 0.93 W per busy core"

    public static let full = EvaluationSettings(
        quick: false, clipLimit: nil, energyRuns: 5, minimumRunSeconds: 10,
        temperaturesCelsius: [0, 25, 60], referenceCelsius: 25,
        driftAges: [.init(label: "1 hour", seconds: 3600), .init(label: "1 day", seconds: 86_400),
                    .init(label: "1 month", seconds: 30 * 86_400)],
        calibrationPeriodSeconds: 300, arrayErrorBlocks: 8, arrayErrorVectors: 16,
        cpuActiveWatts: raspberryPi4WattsPerCore, batch: defaultBatch)

    /// Every metric, on fewer clips, one short energy run.
    public static let quickRun = EvaluationSettings(
        quick: true, clipLimit: 48, energyRuns: 1, minimumRunSeconds: 0.1,
        temperaturesCelsius: [0, 25, 60], referenceCelsius: 25,
        driftAges: [.init(label: "1 hour", seconds: 3600), .init(label: "1 day", seconds: 86_400),
                    .init(label: "1 month", seconds: 30 * 86_400)],
        calibrationPeriodSeconds: 300, arrayErrorBlocks: 4, arrayErrorVectors: 4,
        cpuActiveWatts: raspberryPi4WattsPerCore, batch: defaultBatch)
}
