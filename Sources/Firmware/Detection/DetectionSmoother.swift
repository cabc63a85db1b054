/// Turns a window-by-window stream of class probabilities into detections:
/// the last N windows are averaged, a keyword fires when its average is the
/// largest and at least the threshold, and it does not fire again within the
/// refractory time. Silence and unknown classes never fire. Buffers are
/// sized at creation; `push` allocates nothing.
public final class DetectionSmoother {
    public struct Policy: Sendable, Hashable {
        public var threshold: Double
        public var windows: Int
        public var refractorySeconds: Double
        public init(threshold: Double, windows: Int, refractorySeconds: Double) {
            self.threshold = threshold
            self.windows = max(1, windows)
            self.refractorySeconds = refractorySeconds
        }
    }

    public let labels: [String]
    public let policy: Policy
    private let isKeyword: [Bool]
    private var history: [Float]
    private var filled = 0
    private var next = 0
    private var lastFired: [Double]

    /// The filler classes of Speech Commands style models.
    public static let fillerLabels: Set<String> = ["silence", "unknown", "_silence_", "_unknown_", "_background_noise_"]

    /// `labels` in model output order; filler classes never fire.
    public init(labels: [String], policy: Policy) {
        self.labels = labels
        self.policy = policy
        isKeyword = labels.map { !Self.fillerLabels.contains($0) }
        history = [Float](repeating: 0, count: labels.count * policy.windows)
        lastFired = [Double](repeating: -.infinity, count: labels.count)
    }

    /// Forgets the history (a gap in the stream).
    public func reset() {
        filled = 0
        next = 0
        for i in lastFired.indices { lastFired[i] = -.infinity }
    }

    /// Adds one window's probabilities (ending at `streamSeconds`); returns
    /// the keyword index and smoothed confidence if one fires.
    public func push(_ probabilities: UnsafeBufferPointer<Float>, streamSeconds: Double) -> (label: Int, confidence: Double)? {
        let classes = labels.count
        guard probabilities.count == classes else { return nil }
        history.withUnsafeMutableBufferPointer { h in
            for c in 0..<classes { h[next * classes + c] = probabilities[c] }
        }
        next = (next + 1) % policy.windows
        filled = min(filled + 1, policy.windows)
        var best = 0
        var bestMean = -Double.infinity
        history.withUnsafeBufferPointer { h in
            for c in 0..<classes {
                var sum: Float = 0
                for w in 0..<filled { sum += h[w * classes + c] }
                let mean = Double(sum) / Double(filled)
                if mean > bestMean { bestMean = mean; best = c }
            }
        }
        guard isKeyword[best], bestMean >= policy.threshold,
              streamSeconds - lastFired[best] >= policy.refractorySeconds else { return nil }
        lastFired[best] = streamSeconds
        return (best, bestMean)
    }
}
