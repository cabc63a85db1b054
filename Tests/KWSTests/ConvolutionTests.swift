import CIMSimulator
import Foundation
import Testing
@testable import KWS

/// Convolutional networks through the layer IR: hand-computed answers for
/// the float reference, the CPU baseline and an ideal accelerator against
/// it, and the tile plan of a DS-CNN.
@Suite struct ConvolutionTests {
    static func outputs(_ classify: (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) throws -> Void,
                        frames: [Float], count: Int) rethrows -> [Float] {
        var out = [Float](repeating: 0, count: count)
        try frames.withUnsafeBufferPointer { x in try out.withUnsafeMutableBufferPointer { try classify(x, $0) } }
        return out
    }

    static func pseudoRandom(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 33) % 2001 - 1000) / 1000
        }
    }

    /// Frames 3 x 2 (one channel, 3 high, 2 wide):
    ///     1 2
    ///     3 4
    ///     5 6
    /// Channel 0: a 2x2 kernel [[1, 0], [0, −1]] with bias 0.5, padded by one
    /// column on the left, stride 1: each output is x[y][x−1] − x[y+1][x] + 0.5
    /// with zeros outside, over 2 rows x 2 columns:
    ///     (0 − 3) + .5, (1 − 4) + .5  = −2.5, −2.5
    ///     (0 − 5) + .5, (3 − 6) + .5  = −4.5, −2.5
    /// Channel 1: the kernel negated, same bias: 1 − channel 0.
    @Test func aConvolutionIsOneProductPerOutputPositionOverThePaddedPatch() throws {
        let conv = try ConvolutionLayer(inChannels: 1, outChannels: 2, kernelHeight: 2, kernelWidth: 2,
                                        padding: .init(left: 1), w: [1, 0, 0, -1, -1, 0, 0, 1], b: [0.5, 0.5])
        let model = try NeuralNetwork(frameSize: 2, fixedFrames: 3, layers: [.convolution(conv)], softmax: false)
        #expect(model.shapes.last == TensorShape(channels: 2, height: 2, width: 2))
        let frames: [Float] = [1, 2, 3, 4, 5, 6]
        let float = FloatRuntime(model: model)
        let got = try Self.outputs({ try float.classify($0, into: $1) }, frames: frames, count: 8)
        #expect(got == [-2.5, -2.5, -4.5, -2.5, 3.5, 3.5, 5.5, 3.5])
        let cpu = CPURuntime(model: model)
        #expect(try Self.outputs({ try cpu.classify($0, into: $1) }, frames: frames, count: 8) == got)
    }

    /// Depthwise: two channels, a 1x1 kernel per channel (×2 and ×−3); each
    /// output channel sees only its own input channel, then the average pool.
    @Test func aDepthwiseKernelSeesOnlyItsOwnChannel() throws {
        let spread = try ConvolutionLayer(inChannels: 1, outChannels: 2, kernelHeight: 1, kernelWidth: 1, w: [1, 10], b: [0, 0])
        let depthwise = try ConvolutionLayer(inChannels: 2, outChannels: 2, kernelHeight: 1, kernelWidth: 1, groups: 2,
                                             w: [2, -3], b: [0, 1])
        let model = try NeuralNetwork(frameSize: 2, fixedFrames: 2,
                                      layers: [.convolution(spread), .convolution(depthwise), .averagePool], softmax: false)
        let float = FloatRuntime(model: model)
        // Channel 0: 2 · mean(1, 2, 3, 4) = 5; channel 1: −3 · 10 · 2.5 + 1 = −74.
        #expect(try Self.outputs({ try float.classify($0, into: $1) }, frames: [1, 2, 3, 4], count: 2) == [5, -74])
    }

    @Test func aNetworkThatStartsWithAConvolutionTakesItsFrameCountOnly() throws {
        let conv = try ConvolutionLayer(inChannels: 1, outChannels: 1, kernelHeight: 1, kernelWidth: 1, w: [1], b: [0])
        let model = try NeuralNetwork(frameSize: 2, fixedFrames: 3, layers: [.convolution(conv), .averagePool], softmax: false)
        let float = FloatRuntime(model: model)
        let error = #expect(throws: ModelError.self) { try Self.outputs({ try float.classify($0, into: $1) }, frames: [1, 2, 3, 4], count: 1) }
        #expect(error?.message == "2 frames; the model takes 3")
        #expect(throws: ModelError.self) { try NeuralNetwork(frameSize: 2, fixedFrames: nil, layers: [.convolution(conv)], softmax: false) }
        let tooBig = try ConvolutionLayer(inChannels: 1, outChannels: 1, kernelHeight: 4, kernelWidth: 1, w: [1, 1, 1, 1], b: [0])
        #expect(throws: ModelError.self) { try NeuralNetwork(frameSize: 2, fixedFrames: 3, layers: [.convolution(tooBig)], softmax: false) }
    }

    static func dscnn() throws -> NeuralNetwork {
        let directory = try #require(ONNXImportTests.fixtureDirectories().first)
        return try ONNXImporter.load(contentsOf: directory.appendingPathComponent("pytorch_dscnn.onnx")).model
    }

    @Test func theCPUBaselineRunsTheDSCNNAsTheReferenceDoes() throws {
        let model = try Self.dscnn()
        let frames = Self.pseudoRandom(49 * 10, seed: 5).map { $0 * 2 }
        let float = FloatRuntime(model: model), cpu = CPURuntime(model: model)
        let expected = try Self.outputs({ try float.classify($0, into: $1) }, frames: frames, count: 12)
        let got = try Self.outputs({ try cpu.classify($0, into: $1) }, frames: frames, count: 12)
        let worst = zip(expected, got).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 1e-5, "largest probability difference \(worst)")
    }

    /// MLPerf Tiny's DS-CNN on 256x256 tiles: the first conv's 40-weight
    /// kernel, each depthwise kernel block-diagonal over 64 x 9 rows, each
    /// pointwise 64 x 64, the classifier 64 x 12; every row block of a
    /// matrix runs once per output position (25 x 5).
    @Test func theDSCNNPlacesEveryKernelWeightStationary() throws {
        let model = try Self.dscnn()
        let geometry = try AcceleratorRuntimeTests.fineAccelerator(rows: 256, columns: 256, tiles: 48).geometry
        let c = try TileCompiler.compile(model, for: geometry)
        #expect(c.matrices.map(\.name) == ["conv0", "dwconv1", "conv2", "dwconv3", "conv4", "dwconv5", "conv6", "dwconv7", "conv8", "classifier"])
        #expect(c.matrices.map(\.dataRows) == [40] + Array(repeating: [576, 64], count: 4).flatMap { $0 } + [64])
        let depthwise = c.matrices[1]
        // Column 5 (channel 5) holds weights on rows 45..<54 only.
        let column5 = (0..<depthwise.dataRows).filter { depthwise.weights[$0 * depthwise.outputs + 5] != 0 }
        #expect(!column5.isEmpty && column5.allSatisfy { (45..<54).contains($0) })
        let piecesPerMatrix = c.matrices.indices.map { m in c.pieces.filter { $0.matrix == m }.count }
        #expect(piecesPerMatrix == [1, 3, 1, 3, 1, 3, 1, 3, 1, 1])
        #expect(c.tileMultipliesPerInference(frames: 49) == 125 * (1 + 4 * (3 + 1)) + 1)
        #expect(c.modelMACsPerInference(frames: 49) == 125 * (64 * 40 + 4 * (64 * 9 + 64 * 64)) + 64 * 12)
    }

    @Test func anIdealAcceleratorReproducesTheDSCNN() throws {
        let model = try Self.dscnn()
        let accelerator = try AcceleratorRuntimeTests.fineAccelerator(rows: 256, columns: 256, tiles: 24)
        let deployment = try ModelDeployment.deploy(model, on: accelerator, policy: .singleShot, calibration: nil, faultScan: false)
        let float = FloatRuntime(model: model)
        let frames = Self.pseudoRandom(49 * 10, seed: 9).map { $0 * 2 }
        let expected = try Self.outputs({ try float.classify($0, into: $1) }, frames: frames, count: 12)
        let got = try Self.outputs({ try deployment.runtime.classify($0, into: $1) }, frames: frames, count: 12)
        let worst = zip(expected, got).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 2e-3, "largest probability difference \(worst)")
    }
}
