/// What programming a tile did and achieved.
public struct ProgrammingReport: Sendable, Hashable, Codable {
    public var tile: Int
    /// Physical cells written (two per weight).
    public var cellsProgrammed: Int
    public var totalPulses: Int
    public var maxPulsesOnOneCell: Int
    /// Cells still outside tolerance when their pulse budget ran out.
    public var cellsOutsideTolerance: Int
    /// RMS of (G − G_target) over programmed cells, as a fraction of Gmax − Gmin.
    public var rmsErrorRelative: Double
    public var stuckOnCells: Int
    public var stuckOffCells: Int
    /// Cells past their endurance limit, now frozen.
    public var wornOutCells: Int
    public var durationSeconds: Double
    public var energyJoules: Double
    /// How to read this tile's codes as numbers.
    public var readout: TileReadout

    public init(tile: Int, cellsProgrammed: Int, totalPulses: Int, maxPulsesOnOneCell: Int, cellsOutsideTolerance: Int,
                rmsErrorRelative: Double, stuckOnCells: Int, stuckOffCells: Int, wornOutCells: Int,
                durationSeconds: Double, energyJoules: Double, readout: TileReadout) {
        self.tile = tile
        self.cellsProgrammed = cellsProgrammed
        self.totalPulses = totalPulses
        self.maxPulsesOnOneCell = maxPulsesOnOneCell
        self.cellsOutsideTolerance = cellsOutsideTolerance
        self.rmsErrorRelative = rmsErrorRelative
        self.stuckOnCells = stuckOnCells
        self.stuckOffCells = stuckOffCells
        self.wornOutCells = wornOutCells
        self.durationSeconds = durationSeconds
        self.energyJoules = energyJoules
        self.readout = readout
    }
}

/// The scale factors that turn a tile's integer codes into numbers.
///
/// An input code c stands for c / inputCodeMax of the caller's input full
/// scale; an output code k of column j stands for
/// k · weightUnitsPerOutputCode[j] · (input full scale), in the units of the
/// weight matrix that was programmed.
public struct TileReadout: Sendable, Hashable, Codable {
    public var inputCodeMax: Int32
    public var outputCodeMax: Int32
    public var weightUnitsPerOutputCode: [Double]

    public init(inputCodeMax: Int32, outputCodeMax: Int32, weightUnitsPerOutputCode: [Double]) {
        self.inputCodeMax = inputCodeMax
        self.outputCodeMax = outputCodeMax
        self.weightUnitsPerOutputCode = weightUnitsPerOutputCode
    }

    /// The input code nearest to `value` (clamped) for an input full scale
    /// of 1. NaN, which has no nearest code, drives the row with 0.
    @inlinable
    public func inputCode(for value: Float) -> Int32 {
        guard !value.isNaN else { return 0 }
        let scaled = (value * Float(inputCodeMax)).rounded()
        return Int32(max(-Float(inputCodeMax), min(Float(inputCodeMax), scaled)))
    }

    @inlinable
    public func value(ofOutputCode code: Int32, column: Int) -> Double {
        Double(code) * weightUnitsPerOutputCode[column]
    }
}
