import KWS
import Testing
@testable import Evaluation

/// Porting to a board's precision: every weight becomes one of 2^(b−1)−1
/// signed levels of its output's own scale.
@Suite struct WeightQuantisationTests {
    @Test(arguments: [4, 8])
    func eachOutputRowHoldsAtMostTheLevelsOfItsPrecision(bits: Int) throws {
        let (image, _) = try Fixture.imageAndClips()
        let q = try WeightQuantisation.quantised(image.model, bits: bits)
        let levels = (1 << (bits - 1)) - 1
        let g = try #require(q.recurrentLayer), original = try #require(image.model.recurrentLayer)
        for row in 0..<(3 * g.hiddenSize) {
            let weights = Array(g.r[(row * g.hiddenSize)..<((row + 1) * g.hiddenSize)])
            let peak = original.r[(row * g.hiddenSize)..<((row + 1) * g.hiddenSize)].map { abs($0) }.max() ?? 0
            let step = peak / Float(levels)
            #expect(Set(weights).count <= 2 * levels + 1)
            for w in weights {
                let k = (w / step).rounded()
                #expect(abs(w - k * step) <= 1e-6 * peak && abs(k) <= Float(levels))
            }
        }
        #expect(g.wb == original.wb && q.denseLayers[0].b == image.model.denseLayers[0].b, "biases are added digitally and stay float")
    }

    @Test func sixteenBitsClassifiesLikeTheFloatModelAndTwoBitsDoesNot() throws {
        let (image, set) = try Fixture.imageAndClips()
        let reference = try KeywordSpotter(backend: .float(FloatRuntime(model: image.model)), normalisation: image.normalisation)
        let float = DeployedModel.accuracy(try reference.predictions(set), set)
        let results = try WeightQuantisation.accuracies(image, set, bits: [2, 16])
        #expect(results.map(\.bits) == [2, 16])
        #expect(results[1].accuracy == float)
        #expect(100 * (float - results[0].accuracy) > 5, "one level a side cannot hold this model: \(results[0])")
    }

    @Test(arguments: [1, 17])
    func aPrecisionOutside2To16IsRefused(bits: Int) throws {
        let (image, _) = try Fixture.imageAndClips()
        #expect(throws: ModelError.self) { try WeightQuantisation.quantised(image.model, bits: bits) }
    }
}
