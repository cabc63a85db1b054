import KWS

/// The model with every weight rounded to signed `bits`-bit integers, one
/// scale per output (a row of W, a column on the array, as the compiler
/// maps it): what a toolchain that supports only that precision gives the
/// model before any analog error. Biases stay float (they are added digitally).
enum WeightQuantisation {
    static func quantised(_ model: NeuralNetwork, bits: Int) throws(ModelError) -> NeuralNetwork {
        guard (2...16).contains(bits) else { throw ModelError("weight precision \(bits) bits is outside 2...16") }
        let levels = Float((1 << (bits - 1)) - 1)
        func rows(_ w: [Float], columns: Int) -> [Float] {
            var out = w
            for start in stride(from: 0, to: w.count, by: columns) {
                let row = start..<min(w.count, start + columns)
                let peak = w[row].reduce(Float(0)) { max($0, abs($1)) }
                guard peak > 0 else { continue }
                let step = peak / levels
                for k in row { out[k] = (w[k] / step).rounded() * step }
            }
            return out
        }
        var layers: [Layer] = []
        for layer in model.layers {
            switch layer {
            case .recurrent(var g):
                g.w = rows(g.w, columns: g.inputSize)
                g.r = rows(g.r, columns: g.hiddenSize)
                layers.append(.recurrent(g))
            case .dense(var d):
                d.w = rows(d.w, columns: d.inputs)
                layers.append(.dense(d))
            case .convolution(var c):
                c.w = rows(c.w, columns: c.rowsPerGroup)
                layers.append(.convolution(c))
            case .averagePool:
                layers.append(layer)
            }
        }
        return try NeuralNetwork(frameSize: model.frameSize, fixedFrames: model.fixedFrames, layers: layers, softmax: model.softmax)
    }

    /// Accuracy of the model quantised to each precision, run in Float32 on the CPU.
    static func accuracies(_ image: KWSImage, _ set: TestSet, bits: [Int]) throws(MeasurementFailure) -> [(bits: Int, accuracy: Double)] {
        var results: [(bits: Int, accuracy: Double)] = []
        for b in bits {
            do {
                let runtime = CPURuntime(model: try quantised(image.model, bits: b))
                var probabilities = [Float](repeating: 0, count: image.model.outputs)
                var correct = 0
                for clip in set.clips {
                    try clip.features.withUnsafeBufferPointer { (f) throws(ModelError) in
                        try probabilities.withUnsafeMutableBufferPointer { (p) throws(ModelError) in try runtime.classify(f, into: p) }
                    }
                    let predicted = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
                    if predicted == clip.classIndex { correct += 1 }
                }
                let accuracy = Double(correct) / Double(max(1, set.clips.count))
                results.append((b, accuracy))
            } catch {
                throw .inference(reason: "CPU runtime, \(b)-bit quantised model: \(error)")
            }
        }
        return results
    }
}
