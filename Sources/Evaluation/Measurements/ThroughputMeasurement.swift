import BoardSupport
import CIMHAL
import KWS

/// Effective throughput: model operations over the board time one
/// inference takes, against the chip's peak (every tile converting full
/// arrays back to back). The gap is the article's 3–5x and more: tiles
/// that sit idle while one works, cells the model leaves empty, and the
/// host link that carries every MVM's codes.
enum ThroughputMeasurement {
    /// With `schedule`, the board runs the plan on chip: the time breaks
    /// down by the schedule's resources instead of per tile MVM over the
    /// link. `overBus`: an eval board's sequencer runs it (program-and-run),
    /// and the board's bus carries each run's features and outputs on top.
    static func result(compiled: CompiledModel, frames: Int, board: Board, boardSecondsPerInference: Double,
                       schedule: OnChipSchedule? = nil, overBus: Bool = false) -> ThroughputResult {
        let macs = compiled.modelMACsPerInference(frames: frames)
        let mvms = compiled.tileMultipliesPerInference(frames: frames)
        let effective = boardSecondsPerInference > 0 ? 2 * Double(macs) / boardSecondsPerInference / 1e12 : 0
        var peak = board.claimedPeakTOPS
        var source = peak != nil ? "the board file's eval_board.peak_tops (the datasheet's claim)"
            : "not stated: set eval_board.peak_tops in the board file from the datasheet"
        var shares: [ThroughputResult.TimeShare] = []
        if let timing = board.capability(MVMTimingModel.self) {
            let g = board.accelerator.geometry
            let perMVM = timing.secondsPerMVM
            if peak == nil {
                peak = 2 * Double(g.rows * g.columns * g.tiles) / perMVM.array / 1e12
                source = "energy model: \(g.tiles) tiles of \(g.rows)x\(g.columns), one MVM per \(String(format: "%.0f", perMVM.array * 1e9)) ns of DAC pulses and ADC conversions"
            }
            if let parts = schedule?.latencyParts {
                let bus = overBus ? max(0, boardSecondsPerInference - parts.total) : 0
                let total = max(parts.total + bus, 1e-30)
                shares = [
                    ("array reads and ADC conversions (the pieces of a matrix at once)", parts.arrays),
                    ("digital periphery (input scaling, partial sums, gates, activations)", parts.periphery),
                    ("on-chip bus (codes between tiles and periphery)", parts.bus),
                    ("sequencer (program steps)", parts.sequencer),
                    ("host link (features in, outputs out)", parts.hostLink),
                ].map { .init(part: $0.0, secondsPerInference: $0.1, fraction: $0.1 / total) }
                if overBus {
                    shares.append(.init(part: "eval-board bus (each RUN's features, command and outputs)", secondsPerInference: bus, fraction: bus / total))
                }
            } else {
                let array = Double(mvms) * perMVM.array
                let link = Double(mvms) * perMVM.hostLink
                let other = max(0, boardSecondsPerInference - array - link)
                let total = max(boardSecondsPerInference, array + link)
                shares = [
                    .init(part: "array reads and ADC conversions", secondsPerInference: array, fraction: array / total),
                    .init(part: "host link (input and output codes)", secondsPerInference: link, fraction: link / total),
                    .init(part: "other (bus protocol, monitor reads, reconfiguration)", secondsPerInference: other, fraction: other / total),
                ]
            }
        } else {
            shares = [.init(part: "measured end to end (not broken down on a real board)", secondsPerInference: boardSecondsPerInference, fraction: 1)]
        }
        return ThroughputResult(
            peakTOPS: peak, peakSource: source, effectiveTOPS: effective,
            gap: peak.flatMap { effective > 0 ? $0 / effective : nil },
            modelMACsPerInference: macs, tileMVMsPerInference: mvms, tilesUsed: compiled.tilesUsed,
            cellUtilisation: compiled.utilisation, secondsPerInference: boardSecondsPerInference, timeBreakdown: shares,
            execution: schedule == nil ? "host_driven" : "on_chip")
    }
}
