import Foundation
import Testing
@testable import KWS

/// The optimised Float32 runtime (the measured digital baseline) computes
/// the same model as the reference: the numpy cases of every size and both
/// reset orders, and the shipped model on its test clips.
@Suite struct CPURuntimeTests {
    @Test func matchesTheNumpyReferenceWithin1e5ForEverySizeAndBothResetOrders() throws {
        let all = try FloatRuntimeTests.cases()
        #expect(all.count == 8)
        for c in all {
            let gru = try GRULayer(inputSize: c.inputs, hiddenSize: c.hidden, w: c.W, r: c.R, wb: c.Wb, rb: c.Rb,
                                   linearBeforeReset: c.linear_before_reset == 1)
            let model = try NeuralNetwork(gru: gru, classifier: try DenseLayer(inputs: c.hidden, outputs: c.classes, w: c.Cw, b: c.Cb))
            let runtime = CPURuntime(model: model)
            var p = [Float](repeating: 0, count: c.classes)
            try c.frames.withUnsafeBufferPointer { (f) throws(ModelError) in
                try p.withUnsafeMutableBufferPointer { (out) throws(ModelError) in try runtime.classify(f, into: out) }
            }
            let worst = zip(p, c.probabilities).map { abs(Double($0) - $1) }.max() ?? 1
            #expect(worst < 1e-5, "hidden \(c.hidden), linear_before_reset \(c.linear_before_reset): largest difference \(worst)")
        }
    }

    @Test func theShippedModelGivesTheReferenceProbabilitiesOnEveryTwentiethClip() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let image = try KWSImage.load(directory: root.appendingPathComponent("firmware/kws-gru"))
        let set = try TestSet.load(directory: image.directory.appendingPathComponent("test"), normalisation: image.normalisation,
                                   classes: image.model.outputs, including: { index, _ in index % 20 == 0 })
        let fast = CPURuntime(model: image.model), reference = FloatRuntime(model: image.model)
        var a = [Float](repeating: 0, count: image.model.outputs), b = a
        for clip in set.clips {
            try clip.features.withUnsafeBufferPointer { (f) throws(ModelError) in
                try a.withUnsafeMutableBufferPointer { (out) throws(ModelError) in try fast.classify(f, into: out) }
                try b.withUnsafeMutableBufferPointer { (out) throws(ModelError) in try reference.classify(f, into: out) }
            }
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 1
            #expect(worst < 1e-4, "\(clip.path): largest difference \(worst)")
        }
    }

    @Test func wrongShapesAreClearErrors() throws {
        let gru = try GRULayer(inputSize: 2, hiddenSize: 3, w: [Float](repeating: 0.1, count: 18), r: [Float](repeating: 0.1, count: 27),
                               wb: [Float](repeating: 0, count: 9), rb: [Float](repeating: 0, count: 9), linearBeforeReset: true)
        let runtime = CPURuntime(model: try NeuralNetwork(gru: gru, classifier: try DenseLayer(inputs: 3, outputs: 2, w: [1, 2, 3, 4, 5, 6], b: [0, 0])))
        var p = [Float](repeating: 0, count: 2), q = [Float](repeating: 0, count: 3)
        let odd: [Float] = [1, 2, 3]
        #expect(throws: ModelError.self) {
            try odd.withUnsafeBufferPointer { (f) throws(ModelError) in
                try p.withUnsafeMutableBufferPointer { (out) throws(ModelError) in try runtime.classify(f, into: out) }
            }
        }
        let frames: [Float] = [1, 2]
        #expect(throws: ModelError.self) {
            try frames.withUnsafeBufferPointer { (f) throws(ModelError) in
                try q.withUnsafeMutableBufferPointer { (out) throws(ModelError) in try runtime.classify(f, into: out) }
            }
        }
    }
}
