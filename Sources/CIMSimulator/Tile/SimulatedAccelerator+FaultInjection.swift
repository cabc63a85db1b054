import CIMHAL

/// Faults that arrive in the field, for testing how firmware recovers.
extension SimulatedAccelerator {
    /// A burst of cells failing stuck at once (a weak word line giving out,
    /// say): each healthy cell of `tile` becomes stuck with probability
    /// `rate`, on or off with equal odds; a stuck-on cell jumps to Gmax and a
    /// stuck-off one falls to Gmin at once. Draws come from `seed`, so a test
    /// reproduces its burst. Returns how many cells failed.
    @discardableResult
    public func injectStuckCells(tile index: Int, rate: Double, seed: UInt64) throws(HALError) -> Int {
        guard (0..<configuration.tiles).contains(index) else {
            throw .invalidArgument("tile \(index) is outside 0..<\(configuration.tiles)")
        }
        guard (0...1).contains(rate) else { throw .invalidArgument("stuck-cell rate \(rate) is outside 0...1") }
        let t = tileState(index)
        var rng = SeededGenerator(seed: seed, stream: .stuckFaults)
        let mapping = configuration.mapping
        var failed = 0
        for n in t.stuck.indices where t.stuck[n] == .healthy {
            let u = rng.nextUnitDouble()
            guard u < rate else { continue }
            let on = u < rate / 2
            t.stuck[n] = on ? .stuckOn : .stuckOff
            t.programmed[n] = on ? mapping.gMaxSiemens : mapping.gMinSiemens
            failed += 1
        }
        t.invalidate()
        return failed
    }
}
