/// A keyword heard in the stream.
public struct Detection: Sendable, Hashable, Codable {
    public var keyword: String
    /// The smoothed probability that crossed the threshold.
    public var confidence: Double
    /// End of the window that fired, in seconds of audio since the stream began.
    public var streamSeconds: Double
    /// When it fired on the board's clock (set by the caller; 0 until then).
    public var boardSeconds: Double
    /// Host time from a full window to the decision: frontend, model,
    /// smoothing (set by the caller; 0 until then).
    public var latencySeconds: Double

    public init(keyword: String, confidence: Double, streamSeconds: Double, boardSeconds: Double = 0, latencySeconds: Double = 0) {
        self.keyword = keyword
        self.confidence = confidence
        self.streamSeconds = streamSeconds
        self.boardSeconds = boardSeconds
        self.latencySeconds = latencySeconds
    }
}
