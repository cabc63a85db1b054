/// Another source cut at a duration: reads end after `maxSeconds` of audio.
public final class LimitedSource: AudioSource {
    public let name: String
    public var sampleRateHertz: Int { source.sampleRateHertz }
    public let maxSamples: Int
    public private(set) var samplesRead = 0
    private let source: any AudioSource

    public init(_ source: any AudioSource, maxSeconds: Double) {
        self.source = source
        maxSamples = max(0, Int((maxSeconds * Double(source.sampleRateHertz)).rounded()))
        name = "\(source.name) (first \(maxSeconds) s)"
    }

    public func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        let allowed = min(buffer.count, maxSamples - samplesRead)
        guard allowed > 0, let base = buffer.baseAddress else { return 0 }
        let n = try source.read(into: UnsafeMutableBufferPointer(start: base, count: allowed))
        samplesRead += n
        return n
    }

    public func close() { source.close() }
}
