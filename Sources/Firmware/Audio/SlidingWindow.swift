/// The newest `windowSamples` of a stream, taken every `hopSamples`.
///
/// Samples go into a ring buffer as they arrive; each time a window is
/// complete (the first after `windowSamples`, then every `hopSamples`) it is
/// copied out, oldest first, into a linear buffer the model reads as one
/// contiguous block. `append` and `fill` never go past the next window's
/// end, so windows come one at a time however the samples arrive. The ring
/// holds a window and a hop: samples arriving before the caller takes a
/// window do not overwrite it (a window not taken before the next completes
/// is replaced by that newer one). Both buffers are allocated once, at
/// creation: nothing afterwards allocates.
///
/// A hop longer than the window is clamped to the window: windows then
/// follow each other end to end, and no audio is dropped between them.
final class SlidingWindow {
    let windowSamples: Int
    let hopSamples: Int
    let sampleRateHertz: Int
    /// windowSamples + hopSamples.
    private let ring: UnsafeMutableBufferPointer<Float>
    private let linear: UnsafeMutableBufferPointer<Float>
    /// Samples the stream has delivered so far.
    private(set) var samplesConsumed = 0
    /// Sample count at which the next window completes.
    private var nextWindowEnd: Int
    /// Sample count at the end of the newest complete window (0: none yet).
    private(set) var windowEndSample = 0
    private var pending = false

    init(windowSamples: Int, hopSamples: Int, sampleRateHertz: Int = audioSampleRateHertz) {
        self.windowSamples = max(1, windowSamples)
        self.hopSamples = min(max(1, hopSamples), self.windowSamples)
        self.sampleRateHertz = sampleRateHertz
        ring = .allocate(capacity: self.windowSamples + self.hopSamples)
        ring.initialize(repeating: 0)
        linear = .allocate(capacity: self.windowSamples)
        linear.initialize(repeating: 0)
        nextWindowEnd = self.windowSamples
    }

    deinit {
        ring.deallocate()
        linear.deallocate()
    }

    /// Samples still needed to complete the next window.
    var samplesNeeded: Int { nextWindowEnd - samplesConsumed }

    /// True when a window has completed and `takeWindow` has not yet returned it.
    var hasWindow: Bool { pending }

    /// Stream time of the newest complete window's last sample, seconds.
    var windowEndSeconds: Double { Double(windowEndSample) / Double(sampleRateHertz) }

    /// Takes samples from the front of `samples`, at most `samplesNeeded`;
    /// returns how many it took. Call again with the rest after taking the window.
    @discardableResult
    func append(_ samples: UnsafeBufferPointer<Float>) -> Int {
        let n = min(samples.count, samplesNeeded)
        guard n > 0, let source = samples.baseAddress, let ringBase = ring.baseAddress else { return 0 }
        var done = 0
        while done < n {
            let at = (samplesConsumed + done) % ring.count
            let run = min(n - done, ring.count - at)
            (ringBase + at).update(from: source + done, count: run)
            done += run
        }
        advanceCount(by: n)
        return n
    }

    /// One read from `source` straight into the ring, at most `samplesNeeded`
    /// (and not past the ring's end); returns what the source returned, 0 at
    /// the end of the stream.
    func fill(from source: any AudioSource) throws(AudioSourceError) -> Int {
        guard let ringBase = ring.baseAddress else { return 0 }
        let at = samplesConsumed % ring.count
        let room = min(samplesNeeded, ring.count - at)
        guard room > 0 else { return 0 }
        let n = try source.read(into: UnsafeMutableBufferPointer(start: ringBase + at, count: room))
        advanceCount(by: min(n, room))
        return n
    }

    private func advanceCount(by n: Int) {
        samplesConsumed += n
        if samplesConsumed == nextWindowEnd {
            windowEndSample = nextWindowEnd
            nextWindowEnd += hopSamples
            pending = true
        }
    }

    /// The newest complete window, oldest sample first, if one completed
    /// since the last call; nil otherwise. The buffer is valid until the next call.
    func takeWindow() -> UnsafeBufferPointer<Float>? {
        guard pending, let ringBase = ring.baseAddress, let linearBase = linear.baseAddress else { return nil }
        pending = false
        let oldest = (windowEndSample - windowSamples) % ring.count
        let firstRun = min(windowSamples, ring.count - oldest)
        linearBase.update(from: ringBase + oldest, count: firstRun)
        (linearBase + firstRun).update(from: ringBase, count: windowSamples - firstRun)
        return UnsafeBufferPointer(linear)
    }

    // MARK: One hop per call (the firmware's inference task)

    /// Reads from `source` until the next window completes and linearises
    /// it into `samples`. Returns false when the stream ended first (a
    /// partial hop is dropped) or `shouldStop` asked to stop.
    func advance(from source: any AudioSource, shouldStop: () -> Bool = { false }) throws(AudioSourceError) -> Bool {
        while !pending {
            if try fill(from: source) == 0 { return false }
            if !pending && shouldStop() { return false }
        }
        _ = takeWindow()
        return true
    }

    /// True once a whole window has arrived.
    var isFull: Bool { windowEndSample > 0 }

    /// The window `advance` (or `takeWindow`) last produced.
    var samples: UnsafeBufferPointer<Float> { UnsafeBufferPointer(linear) }

    /// Stream time of the window `advance` last produced, seconds.
    var endSeconds: Double { windowEndSeconds }
}
