/// The digital von Neumann machine that CIM is compared against: every MAC in
/// a 32-bit ALU, and weights and activations fetched from off-chip DRAM.
/// Defaults are the article's 45 nm figures: 4.5 pJ per 32-bit multiply-add,
/// 640 pJ per DRAM byte (Horowitz, ISSCC 2014).
public struct DigitalBaseline: Sendable, Hashable, Codable {
    public var macJoules: Double
    public var dramJoulesPerByte: Double
    public var bytesPerWeight: Int
    public var bytesPerActivation: Int

    public init(macJoules: Double = 4.5e-12, dramJoulesPerByte: Double = 640e-12, bytesPerWeight: Int = 4, bytesPerActivation: Int = 4) {
        self.macJoules = macJoules
        self.dramJoulesPerByte = dramJoulesPerByte
        self.bytesPerWeight = bytesPerWeight
        self.bytesPerActivation = bytesPerActivation
    }

    public struct Energy: Sendable, Hashable, Codable {
        public var computeJoules: Double
        public var dataMovementJoules: Double
        public var totalJoules: Double { computeJoules + dataMovementJoules }
    }

    /// One rows x columns matrix-vector multiply when `batch` inputs share one
    /// fetch of the weights.
    public func mvmEnergy(rows: Int, columns: Int, batch: Int = 1) -> Energy {
        let weightBytes = Double(rows * columns * bytesPerWeight) / Double(max(1, batch))
        let activationBytes = Double((rows + columns) * bytesPerActivation)
        return Energy(computeJoules: Double(rows * columns) * macJoules,
                      dataMovementJoules: (weightBytes + activationBytes) * dramJoulesPerByte)
    }
}
