/// When smoothed class probabilities count as a detection.
struct DetectionPolicy: Sendable, Hashable {
    /// Smoothed probability a keyword must reach (and be the largest class).
    var threshold: Double
    /// Windows averaged: the current one and the N − 1 before it.
    var windows: Int
    /// The same keyword does not fire again within this much stream time.
    var refractorySeconds: Double
    /// Labels that may fire; nil: every label except the filler classes.
    var keywords: Set<String>?

    init(threshold: Double, windows: Int, refractorySeconds: Double, keywords: Set<String>? = nil) {
        self.threshold = threshold
        self.windows = max(1, windows)
        self.refractorySeconds = refractorySeconds
        self.keywords = keywords
    }

    /// Measured on the bundled stream (firmware/kws-gru/stream) with the
    /// float model and a 250 ms hop: see DetectionOnStreamTests.
    static let recommended = DetectionPolicy(threshold: 0.6, windows: 2, refractorySeconds: 1)

    /// The filler classes of Speech Commands style models: never keywords.
    static let fillerLabels: Set<String> = ["silence", "unknown", "_silence_", "_unknown_", "_background_noise_"]

    /// Whether `label` may fire under this policy.
    func isKeyword(_ label: String) -> Bool {
        if let keywords { return keywords.contains(label) }
        return !Self.fillerLabels.contains(label)
    }
}
