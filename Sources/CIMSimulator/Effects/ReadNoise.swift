/// Noise on every read: each column output gets σ · ‖x‖₂ · N(0, 1), in units
/// of the full differential conductance range — the aihwkit per-MVM output
/// noise form (Rasch et al., AICAS 2021), equivalent to independent per-cell
/// conductance noise of σ·(Gmax − Gmin) at each read.
public struct ReadNoise: Sendable, Hashable, Codable {
    public var enabled: Bool
    public var sigmaRelative: Double

    public init(enabled: Bool, sigmaRelative: Double) {
        self.enabled = enabled
        self.sigmaRelative = sigmaRelative
    }

    public static let off = ReadNoise(enabled: false, sigmaRelative: 0)

    /// The per-read stage, before the ADC: adds σ·‖x‖₂·N(0, 1) to each of
    /// the `columns` sums in `y`. One word per column is drawn into `words`
    /// in column order, then the arithmetic runs in a loop the compiler can
    /// vectorise.
    @inlinable @inline(__always)
    public func perturb(_ y: UnsafeMutablePointer<Float>, columns: Int, inputNorm: Float,
                        words: UnsafeMutablePointer<UInt64>, rng: inout SeededGenerator) {
        let sigma = Float(sigmaRelative)
        guard enabled && sigma > 0 else { return }
        let k = sigma * inputNorm
        for j in 0..<columns { words[j] = rng.next() }
        for j in 0..<columns { y[j] += k * SeededGenerator.fastGaussian(fromWord: words[j]) }
    }
}

extension ReadNoise: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("enabled", .flag(\.enabled), optional: .flag(false)),
        .init("sigma_relative", .real(\.sigmaRelative, range: 0...1, fileToModel: 1), whenOff: .real(0)),
    ]
}
