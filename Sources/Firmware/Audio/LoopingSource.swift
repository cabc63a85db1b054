/// A finite source replayed from its start each time it ends, so a
/// one-minute recording can feed a day-long virtual run. `make` opens one
/// pass; a pass that yields nothing ends the loop (an empty recording would
/// otherwise spin for ever). Combine with `LimitedSource` to stop at a
/// duration.
final class LoopingSource: AudioSource {
    let name: String
    var sampleRateHertz: Int { current?.sampleRateHertz ?? audioSampleRateHertz }
    /// Passes started so far (1 after opening).
    private(set) var passes = 0
    private let maxPasses: Int?
    private let make: () throws(AudioSourceError) -> any AudioSource
    private var current: (any AudioSource)?
    private var currentPassSamples = 0

    /// `maxPasses`: stop after that many passes (nil: never).
    init(maxPasses: Int? = nil, _ make: @escaping () throws(AudioSourceError) -> any AudioSource) throws(AudioSourceError) {
        self.make = make
        self.maxPasses = maxPasses
        let first = try make()
        name = "\(first.name) (looped)"
        current = first
        passes = 1
    }

    func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        while let source = current {
            let n = try source.read(into: buffer)
            if n > 0 {
                currentPassSamples += n
                return n
            }
            source.close()
            current = nil
            if currentPassSamples == 0 { return 0 }
            if let maxPasses, passes >= maxPasses { return 0 }
            current = try make()
            passes += 1
            currentPassSamples = 0
        }
        return 0
    }

    func close() {
        current?.close()
        current = nil
    }
}
