/// Turns a window-by-window stream of class probabilities into detections:
/// the last N windows are averaged; a keyword fires when its average is the
/// largest of all classes and at least the threshold, and it has not fired
/// within the refractory time. Non-keyword classes (silence, unknown) never
/// fire. The history ring is sized at creation; `observe` allocates nothing.
final class DetectionSmoother {
    typealias Policy = DetectionPolicy
    static var fillerLabels: Set<String> { DetectionPolicy.fillerLabels }

    let labels: [String]
    let policy: DetectionPolicy
    private let isKeyword: [Bool]
    /// `windows` rows of `labels.count` probabilities, the oldest overwritten first.
    private let history: UnsafeMutableBufferPointer<Float>
    private var filled = 0
    private var next = 0
    private var lastFired: [Double]

    /// `labels` in model output order.
    init(labels: [String], policy: DetectionPolicy) {
        self.labels = labels
        self.policy = policy
        isKeyword = labels.map { policy.isKeyword($0) }
        history = .allocate(capacity: max(1, labels.count * policy.windows))
        history.initialize(repeating: 0)
        lastFired = [Double](repeating: -.infinity, count: labels.count)
    }

    deinit { history.deallocate() }

    /// Forgets the history and the refractory times (a gap in the stream).
    func reset() {
        filled = 0
        next = 0
        for i in lastFired.indices { lastFired[i] = -.infinity }
    }

    /// Adds one window's probabilities (the window ends at `streamSeconds`)
    /// and returns the detection it causes, if any. `boardSeconds` and
    /// `latencySeconds` are left for the caller to set.
    func observe(_ probabilities: UnsafeBufferPointer<Float>, streamSeconds: Double) throws(DetectionError) -> Detection? {
        guard probabilities.count == labels.count else {
            throw DetectionError(message: "a window has \(probabilities.count) class probabilities; the labels name \(labels.count) (\(labels.joined(separator: " ")))")
        }
        guard let fired = push(probabilities, streamSeconds: streamSeconds) else { return nil }
        return Detection(keyword: labels[fired.label], confidence: fired.confidence, streamSeconds: streamSeconds)
    }

    /// As `observe`, returning the label index; nil as well when the count of
    /// probabilities is not the count of labels.
    func push(_ probabilities: UnsafeBufferPointer<Float>, streamSeconds: Double) -> (label: Int, confidence: Double)? {
        let classes = labels.count
        guard classes > 0, probabilities.count == classes else { return nil }
        for c in 0..<classes { history[next * classes + c] = probabilities[c] }
        next = (next + 1) % policy.windows
        filled = min(filled + 1, policy.windows)
        var best = 0
        var bestMean = -Double.infinity
        for c in 0..<classes {
            var sum = 0.0
            for w in 0..<filled { sum += Double(history[w * classes + c]) }
            let mean = sum / Double(filled)
            if mean > bestMean { bestMean = mean; best = c }
        }
        guard isKeyword[best], bestMean >= policy.threshold,
              streamSeconds - lastFired[best] >= policy.refractorySeconds else { return nil }
        lastFired[best] = streamSeconds
        return (best, bestMean)
    }
}

struct DetectionError: Error, Sendable, Hashable, CustomStringConvertible {
    var message: String
    var description: String { message }
}
