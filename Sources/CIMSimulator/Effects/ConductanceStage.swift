/// The state a tile's effective weights were folded for: the time since
/// the tile was programmed and the die temperature.
public struct FoldConditions: Sendable, Hashable {
    public var ageSeconds: Double
    public var celsius: Double

    public init(ageSeconds: Double, celsius: Double) {
        self.ageSeconds = ageSeconds
        self.celsius = celsius
    }
}

/// One fold over a tile's cells: its shape, the moment, and buffers the
/// tile owns (a fold allocates nothing).
public struct ConductanceFold {
    public let rows: Int
    public let physicalColumns: Int
    public let nowSeconds: Double
    public let celsius: Double
    public let gMaxSiemens: Double
    /// Each cell's conductance as programmed, before any stage.
    public let programmed: UnsafeBufferPointer<Double>
    /// When each cell last took a write: its drift clock.
    public let writtenAtSeconds: UnsafeBufferPointer<Double>
    /// rows x physicalColumns values a stage may overwrite.
    public let cellScratch: UnsafeMutableBufferPointer<Double>
    /// max(rows, physicalColumns) values a stage may overwrite.
    public let lineScratch: UnsafeMutableBufferPointer<Double>

    public init(rows: Int, physicalColumns: Int, nowSeconds: Double, celsius: Double, gMaxSiemens: Double,
                programmed: UnsafeBufferPointer<Double>, writtenAtSeconds: UnsafeBufferPointer<Double>,
                cellScratch: UnsafeMutableBufferPointer<Double>, lineScratch: UnsafeMutableBufferPointer<Double>) {
        self.rows = rows
        self.physicalColumns = physicalColumns
        self.nowSeconds = nowSeconds
        self.celsius = celsius
        self.gMaxSiemens = gMaxSiemens
        self.programmed = programmed
        self.writtenAtSeconds = writtenAtSeconds
        self.cellScratch = cellScratch
        self.lineScratch = lineScratch
    }
}

/// A slow effect: it changes the conductances, not the arithmetic, so a tile
/// folds it into its effective weights when conditions have moved enough
/// (`SimulatedTile.refreshIfNeeded`) instead of on every read. Stages fold
/// in `SimulatorConfiguration.conductanceStages` order, each multiplying
/// the conductances the previous one left.
public protocol ConductanceStage: Sendable {
    /// The stream its per-cell parameters are drawn from, nil if it has none.
    var cellStream: RandomStream? { get }
    /// One cell's parameter, drawn once per tile at manufacture.
    func drawCellParameter(rng: inout SeededGenerator) -> Float
    /// Whether conditions moved from `last` to `now` enough to fold again.
    func hasMoved(since last: FoldConditions, to now: FoldConditions) -> Bool
    /// Multiplies the row-major conductances `g` by this effect's factor.
    func fold(_ g: UnsafeMutableBufferPointer<Double>, cellParameters: UnsafeBufferPointer<Float>, in array: ConductanceFold)
}

extension ConductanceStage {
    public var cellStream: RandomStream? { nil }
    public func drawCellParameter(rng: inout SeededGenerator) -> Float { 0 }
    public func hasMoved(since last: FoldConditions, to now: FoldConditions) -> Bool { false }
}

extension SimulatorConfiguration {
    /// The slow effects in fold order: drift and heat change each cell, and
    /// IR drop acts on the conductances they leave.
    public var conductanceStages: [any ConductanceStage] { [drift, temperature, irDrop] }
}
