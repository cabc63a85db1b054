import Foundation
import Testing
@testable import KWS

@Suite struct FloatRuntimeTests {
    struct Case: Decodable {
        var inputs: Int, hidden: Int, classes: Int, steps: Int
        var linear_before_reset: Int
        var W: [Float], R: [Float], Wb: [Float], Rb: [Float], Cw: [Float], Cb: [Float], frames: [Float]
        var probabilities: [Double]
    }

    static func cases() throws -> [Case] {
        guard let url = Bundle.module.url(forResource: "Fixtures/gru-reference", withExtension: "json") else { return [] }
        return try JSONDecoder().decode([Case].self, from: Data(contentsOf: url))
    }

    @Test func matchesTheNumpyReferenceWithin1e5ForEverySizeAndBothResetOrders() throws {
        let all = try Self.cases()
        #expect(all.count == 8)
        for c in all {
            let gru = try GRULayer(inputSize: c.inputs, hiddenSize: c.hidden, w: c.W, r: c.R, wb: c.Wb, rb: c.Rb,
                                   linearBeforeReset: c.linear_before_reset == 1)
            let model = try NeuralNetwork(gru: gru, classifier: try DenseLayer(inputs: c.hidden, outputs: c.classes, w: c.Cw, b: c.Cb))
            let runtime = FloatRuntime(model: model)
            var p = [Float](repeating: 0, count: c.classes)
            try c.frames.withUnsafeBufferPointer { (f) throws(ModelError) in
                try p.withUnsafeMutableBufferPointer { (out) throws(ModelError) in try runtime.classify(f, into: out) }
            }
            let worst = zip(p, c.probabilities).map { abs(Double($0) - $1) }.max() ?? 1
            #expect(worst < 1e-5, "hidden \(c.hidden), linear_before_reset \(c.linear_before_reset): largest difference \(worst)")
        }
    }

    @Test func wrongShapesAreClearErrors() {
        #expect(throws: ModelError.self) {
            try GRULayer(inputSize: 10, hiddenSize: 4, w: [Float](repeating: 0, count: 119), r: [Float](repeating: 0, count: 48),
                         wb: [Float](repeating: 0, count: 12), rb: [Float](repeating: 0, count: 12), linearBeforeReset: true)
        }
        #expect(throws: ModelError.self) { try DenseLayer(inputs: 4, outputs: 2, w: [1, 2, 3], b: [0, 0]) }
    }
}
