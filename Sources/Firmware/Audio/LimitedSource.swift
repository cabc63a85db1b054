/// Another source cut at a duration: reads end after `maxSeconds` of audio.
final class LimitedSource: AudioSource {
    let name: String
    var sampleRateHertz: Int { source.sampleRateHertz }
    let maxSamples: Int
    private(set) var samplesRead = 0
    private let source: any AudioSource

    init(_ source: any AudioSource, maxSeconds: Double) {
        self.source = source
        maxSamples = max(0, Int((maxSeconds * Double(source.sampleRateHertz)).rounded()))
        name = "\(source.name) (first \(maxSeconds) s)"
    }

    func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        let allowed = min(buffer.count, maxSamples - samplesRead)
        guard allowed > 0, let base = buffer.baseAddress else { return 0 }
        let n = try source.read(into: UnsafeMutableBufferPointer(start: base, count: allowed))
        samplesRead += n
        return n
    }

    func close() { source.close() }
}
