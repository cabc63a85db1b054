/// The last `windowSamples` of a stream, advanced `hopSamples` at a time.
/// The window is kept linear (older samples shift down on each hop), so
/// the model reads it as one contiguous buffer. Sized at creation; nothing
/// is allocated afterwards.
public final class SlidingWindow {
    public let windowSamples: Int
    public let hopSamples: Int
    private let buffer: UnsafeMutableBufferPointer<Float>
    /// Samples the stream has delivered so far.
    public private(set) var samplesConsumed = 0
    private var valid = 0

    public init(windowSamples: Int, hopSamples: Int) {
        self.windowSamples = windowSamples
        self.hopSamples = min(max(1, hopSamples), windowSamples)
        buffer = .allocate(capacity: windowSamples)
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    /// True once a whole window has arrived.
    public var isFull: Bool { valid == windowSamples }

    /// Stream time of the window's last sample, seconds.
    public var endSeconds: Double { Double(samplesConsumed) / Double(audioSampleRateHertz) }

    public var samples: UnsafeBufferPointer<Float> { UnsafeBufferPointer(buffer) }

    /// Reads one hop from `source` into the window. Returns false when the
    /// stream ended before a whole hop arrived (a partial hop is dropped).
    public func advance(from source: any AudioSource, shouldStop: () -> Bool = { false }) throws(AudioSourceError) -> Bool {
        let hop = hopSamples
        let keep = windowSamples - hop
        let base = buffer.baseAddress!
        // Shift the newest `keep` samples down, then fill the tail.
        base.update(from: base + hop, count: keep)
        var filled = 0
        while filled < hop {
            let n = try source.read(into: UnsafeMutableBufferPointer(start: base + keep + filled, count: hop - filled))
            if n == 0 {
                if source.isLive && !shouldStop() { continue }
                return false
            }
            filled += n
            if shouldStop() && filled < hop { return false }
        }
        samplesConsumed += hop
        valid = min(windowSamples, valid + hop)
        return true
    }
}
