/// How a tile is programmed: one pulse per cell, or program-and-verify loops
/// that stop when a cell is within tolerance or out of pulses.
public struct WriteVerifyPolicy: Sendable, Hashable, Codable {
    /// Largest accepted |G − G_target|, as a fraction of the conductance range.
    public var toleranceRelative: Double
    /// Pulses per cell including the first; 1 means single-shot programming.
    public var maxPulses: Int

    public init(toleranceRelative: Double, maxPulses: Int) {
        self.toleranceRelative = toleranceRelative
        self.maxPulses = maxPulses
    }

    /// One pulse per cell, no verify read.
    public static let singleShot = WriteVerifyPolicy(toleranceRelative: .infinity, maxPulses: 1)
}
