import CIMSimulator
import KWS

/// The digital baseline: the float model on a CPU. Its accuracy is the
/// float model's; its energy per inference comes two ways — the 45 nm CPU
/// model (every MAC in a 32-bit ALU, weights from DRAM), and this machine's
/// measured CPU time for the float runtime times a busy core's power.
enum DigitalBaselineMeasurement {
    /// Energy of one inference on the CPU model. A layer's weights fit in
    /// cache across its applications (GRU steps, convolution positions), so
    /// they come from DRAM once per inference; inputs and outputs move every
    /// application. A grouped (depthwise) convolution is one small matrix per group.
    static func cpuModelJoules(_ model: NeuralNetwork, frames: Int, baseline: DigitalBaseline = DigitalBaseline()) -> Double {
        var joules = 0.0
        for (n, layer) in model.layers.enumerated() {
            let applications = model.applications(ofLayer: n, frames: frames)
            switch layer {
            case .recurrent(let g):
                let step = baseline.mvmEnergy(rows: g.inputSize + g.hiddenSize, columns: 3 * g.hiddenSize, batch: applications)
                joules += Double(applications) * step.totalJoules
            case .dense(let d):
                joules += baseline.mvmEnergy(rows: d.inputs, columns: d.outputs).totalJoules
            case .convolution(let c):
                let batch = applications * c.groups
                joules += Double(batch) * baseline.mvmEnergy(rows: c.rowsPerGroup, columns: c.outChannels / c.groups, batch: batch).totalJoules
            case .averagePool:
                break
            }
        }
        return joules
    }

    static let cpuModelSource = "45 nm: 4.5 pJ per 32-bit MAC, 640 pJ per DRAM byte (Horowitz, ISSCC 2014); weights fetched once per inference"

    /// Float predictions of every clip (the reference runtime), and the
    /// median thread CPU time per inference (features in, probabilities
    /// out) of the optimised CPU runtime and of the reference, each over
    /// `repeats` passes.
    static func run(_ image: KWSImage, _ set: TestSet, repeats: Int) throws(EvaluationError) -> (predictions: [Int], cpuSeconds: Double, referenceSeconds: Double) {
        let reference = FloatRuntime(model: image.model)
        let cpu = CPURuntime(model: image.model)
        var probabilities = [Float](repeating: 0, count: image.model.outputs)
        var predictions: [Int] = []
        var cpuTimes: [Double] = [], referenceTimes: [Double] = []
        cpuTimes.reserveCapacity(set.clips.count * repeats)
        referenceTimes.reserveCapacity(set.clips.count * repeats)
        for pass in 0..<max(1, repeats) {
            for clip in set.clips {
                do {
                    try clip.features.withUnsafeBufferPointer { (f) throws(ModelError) in
                        try probabilities.withUnsafeMutableBufferPointer { (p) throws(ModelError) in
                            let t0 = HostClock.threadCPUSeconds()
                            try cpu.classify(f, into: p)
                            let t1 = HostClock.threadCPUSeconds()
                            try reference.classify(f, into: p)
                            let t2 = HostClock.threadCPUSeconds()
                            cpuTimes.append(t1 - t0)
                            referenceTimes.append(t2 - t1)
                        }
                    }
                } catch {
                    throw .measurement(boardFile: "float runtime", .inference(reason: "\(clip.path): \(error)"))
                }
                if pass == 0 {
                    predictions.append(probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0)
                }
            }
        }
        return (predictions, Statistics.median(cpuTimes), Statistics.median(referenceTimes))
    }
}

enum Statistics {
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
