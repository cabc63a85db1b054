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
}
