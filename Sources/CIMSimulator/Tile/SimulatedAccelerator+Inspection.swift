/// Read-only views of a simulated tile's physical state, for tests and
/// characterisation. Each returns nil for a tile (or cell) that does not exist.
extension SimulatedAccelerator {
    /// The effective normalized weight the hot path currently uses.
    public func effectiveNormalizedWeight(tile: Int, row: Int, column: Int) -> Float? {
        guard tiles.indices.contains(tile), let t = tiles[tile],
              (0..<t.rows).contains(row), (0..<t.logicalColumns).contains(column) else { return nil }
        let c = configuration
        let now = ledger.elapsedSeconds
        t.refreshIfNeeded(nowSeconds: now,
                          celsius: c.temperature.enabled ? thermal.celsius(atSeconds: now) : c.temperature.referenceCelsius)
        return t.effectiveWeight(row: row, column: column)
    }

    /// Programmed conductances of a tile (row-major rows x 2·logical columns).
    public func programmedConductances(tile: Int) -> [Double]? {
        tiles.indices.contains(tile) ? tiles[tile]?.programmed : nil
    }

    /// Program cycles per cell of a tile.
    public func programCycles(tile: Int) -> [Int32]? {
        tiles.indices.contains(tile) ? tiles[tile]?.cycles : nil
    }

    /// The stuck-at fault map of a tile, in the layout of `programmedConductances`.
    public func stuckCells(tile: Int) -> [StuckAtFaults.State]? {
        tiles.indices.contains(tile) ? tiles[tile]?.stuck : nil
    }
}
