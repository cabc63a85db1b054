import Foundation
import Testing
@testable import KWS

/// The ONNX importer and the float runtime against onnxruntime: every
/// supported export style (tools/kws/make_onnx_fixtures.py) within 1e-5,
/// and every unsupported construct rejected with the node named.
///
/// The committed fixtures are seed 1. CI also generates a fresh set with
/// another seed and points CIMFW_ONNX_FIXTURES at it, so the cross-check
/// runs against onnxruntime on the machine, not only against stored numbers.
@Suite struct ONNXImportTests {
    struct Case: Decodable {
        var name: String, file: String, kind: String, description: String
        var inputs: [[Float]]?, outputs: [[Double]]?
        var error_node: String?, error_contains: String?
    }

    struct Shipped: Decodable {
        var model: String, inputs: [[Float]], outputs: [[Double]]
    }

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func fixtureDirectories() -> [URL] {
        var directories: [URL] = []
        if let committed = Bundle.module.url(forResource: "Fixtures/onnx", withExtension: nil) { directories.append(committed) }
        if let extra = ProcessInfo.processInfo.environment["CIMFW_ONNX_FIXTURES"], !extra.isEmpty {
            directories.append(URL(fileURLWithPath: extra))
        }
        return directories
    }

    static func cases(in directory: URL) throws -> [Case] {
        try JSONDecoder().decode([Case].self, from: Data(contentsOf: directory.appendingPathComponent("cases.json")))
    }

    static func run(_ model: NeuralNetwork, _ input: [Float]) throws -> [Float] {
        let runtime = FloatRuntime(model: model)
        var out = [Float](repeating: 0, count: model.outputs)
        try input.withUnsafeBufferPointer { (x) throws(ModelError) in
            try out.withUnsafeMutableBufferPointer { (o) throws(ModelError) in try runtime.classify(x, into: o) }
        }
        return out
    }

    @Test func everyExportStyleMatchesOnnxruntimeWithin1e5() throws {
        var checked = 0
        for directory in Self.fixtureDirectories() {
            for c in try Self.cases(in: directory) where c.kind == "valid" {
                let imported = try ONNXImporter.load(contentsOf: directory.appendingPathComponent(c.file))
                let inputs = try #require(c.inputs), outputs = try #require(c.outputs)
                for (input, expected) in zip(inputs, outputs) {
                    let got = try Self.run(imported.model, input)
                    let worst = zip(got, expected).map { abs(Double($0) - $1) }.max() ?? 1
                    #expect(got.count == expected.count && worst < 1e-5, "\(directory.lastPathComponent)/\(c.name): largest difference \(worst)")
                }
                checked += 1
            }
        }
        #expect(checked >= 11)
    }

    @Test func unsupportedConstructsAreErrorsNamingTheNode() throws {
        var checked = 0
        for directory in Self.fixtureDirectories() {
            for c in try Self.cases(in: directory) where c.kind == "invalid" {
                let url = directory.appendingPathComponent(c.file)
                let error = #expect(throws: ONNXImportError.self, "\(c.name)") { try ONNXImporter.load(contentsOf: url) }
                guard let error else { continue }
                #expect(error.node == c.error_node, "\(c.name): \(error)")
                #expect(error.description.lowercased().contains(c.error_contains ?? "?"), "\(c.name): \(error)")
                #expect(error.file == url.path, "\(c.name): \(error)")
                checked += 1
            }
        }
        #expect(checked >= 6)
    }

    @Test func theShippedModelMatchesOnnxruntimeWithin1e5() throws {
        let directory = try #require(Self.fixtureDirectories().first)
        let shipped = try JSONDecoder().decode(Shipped.self, from: Data(contentsOf: directory.appendingPathComponent("shipped.json")))
        let imported = try ONNXImporter.load(contentsOf: Self.repository.appendingPathComponent(shipped.model))
        #expect(imported.frames == 49 && imported.model.recurrentLayer?.inputSize == 10 && imported.model.outputs == 12)
        #expect(imported.model.recurrentLayer?.linearBeforeReset == true && imported.model.softmax)
        var worst = 0.0
        for (input, expected) in zip(shipped.inputs, shipped.outputs) {
            worst = max(worst, zip(try Self.run(imported.model, input), expected).map { abs(Double($0) - $1) }.max() ?? 1)
        }
        #expect(shipped.inputs.count == 24)
        #expect(worst < 1e-5, "largest difference \(worst); if model.onnx changed, regenerate Tests/KWSTests/Fixtures/onnx (tools/kws/README.md)")
    }

    @Test func theImportRecordsTheExportsStructure() throws {
        let directory = try #require(Self.fixtureDirectories().first)
        let keras = try ONNXImporter.load(contentsOf: directory.appendingPathComponent("keras_tf2onnx.onnx")).model
        #expect(keras.denseLayers.map(\.activation) == [.tanh, .sigmoid, .identity])
        #expect(keras.denseLayers.map(\.outputs) == [20, 16, 12])
        let pytorch = try ONNXImporter.load(contentsOf: directory.appendingPathComponent("pytorch_batchfirst.onnx"))
        #expect(pytorch.inputShape == [1, 20, 10] && pytorch.frames == 20)
        #expect(pytorch.model.denseLayers.map(\.activation) == [.relu, .identity])
        #expect(pytorch.model.recurrentLayer?.initialState.contains { $0 != 0 } == true)
        let lengths = try ONNXImporter.load(contentsOf: directory.appendingPathComponent("sequence_lens.onnx")).model
        #expect(lengths.recurrentLayer?.sequenceLength == 37)
        let reverse = try ONNXImporter.load(contentsOf: directory.appendingPathComponent("reverse_direction.onnx")).model
        #expect(reverse.recurrentLayer?.reverse == true)
        let lbr0 = try ONNXImporter.load(contentsOf: directory.appendingPathComponent("trainpy_lbr0.onnx")).model
        #expect(lbr0.recurrentLayer?.linearBeforeReset == false)
        let block = ["depthwise 64 3x3 relu", "conv 64→64 1x1 relu"]
        let dscnn = try ONNXImporter.load(contentsOf: directory.appendingPathComponent("pytorch_dscnn.onnx")).model
        #expect(dscnn.layers.map(\.summary) == ["conv 1→64 10x4 stride 2x2 relu"] + block + block + block + block + ["average pool", "dense 64→12"])
        #expect(dscnn.fixedFrames == 49 && dscnn.shapes[1] == TensorShape(channels: 64, height: 25, width: 5) && dscnn.softmax)
        let folded = try ONNXImporter.load(contentsOf: directory.appendingPathComponent("pytorch_dscnn_batchnorm.onnx")).model
        #expect(folded.layers.count == 11, "every BatchNormalization folds into the Conv before it")
        let kerasDSCNN = try ONNXImporter.load(contentsOf: directory.appendingPathComponent("keras_dscnn.onnx"))
        #expect(kerasDSCNN.inputShape == [1, 49, 10, 1] && kerasDSCNN.model.shapes[1] == TensorShape(channels: 16, height: 25, width: 5))
        let firstLayer = kerasDSCNN.model.layers[0]
        guard case .convolution(let first) = firstLayer else { Issue.record("keras_dscnn starts with \(firstLayer)"); return }
        #expect(first.padding == ConvolutionLayer.Padding(top: 4, left: 1, bottom: 5, right: 1), "SAME_UPPER puts the odd row at the end")
    }

    @Test func aFileThatIsNotThereIsAnErrorNamingIt() {
        let error = #expect(throws: ONNXImportError.self) { try ONNXImporter.load(contentsOf: URL(fileURLWithPath: "/nonexistent/model.onnx")) }
        #expect(error?.file == "/nonexistent/model.onnx")
    }

    @Test func bytesThatAreNotAModelAreCorrupt() {
        let error = #expect(throws: ONNXImportError.self) {
            try ONNXImporter.load(data: Data("this is not protobuf at all".utf8), file: "junk.onnx")
        }
        #expect(error?.description.contains("junk.onnx") == true)
    }

    /// The shipped model's protobuf, changed by `edit`, then imported.
    static func importEdited(_ model: URL = repository.appendingPathComponent("firmware/kws-gru/model.onnx"),
                             _ edit: (inout Onnx_ModelProto) -> Void) throws -> Result<ImportedModel, ONNXImportError> {
        var proto = try Onnx_ModelProto(serializedBytes: Data(contentsOf: model))
        edit(&proto)
        let data: Data = try proto.serializedBytes()
        do throws(ONNXImportError) {
            return .success(try ONNXImporter.load(data: data, file: "edited.onnx"))
        } catch {
            return .failure(error)
        }
    }

    static func failure(_ result: Result<ImportedModel, ONNXImportError>) -> String {
        if case let .failure(error) = result { return error.description }
        return "imported"
    }

    /// hidden_size 2^62 once trapped computing 3·h.
    @Test func aHugeHiddenSizeIsRefusedNotATrap() throws {
        let message = Self.failure(try Self.importEdited { proto in
            for n in proto.graph.node.indices where proto.graph.node[n].opType == "GRU" {
                for a in proto.graph.node[n].attribute.indices where proto.graph.node[n].attribute[a].name == "hidden_size" {
                    proto.graph.node[n].attribute[a].i = 1 << 62
                }
            }
        })
        #expect(message.contains("edited.onnx") && message.contains("hidden_size 4611686018427387904 is outside 1...16384"), "\(message)")
    }

    /// What a fuzzer would try on a DS-CNN: a stride near Int.max (the padding
    /// arithmetic would overflow), an input map whose tensors would not fit in memory.
    @Test func absurdConvolutionGeometryIsRefusedNotATrap() throws {
        let dscnn = try #require(Self.fixtureDirectories().first).appendingPathComponent("keras_dscnn.onnx")
        let stride = Self.failure(try Self.importEdited(dscnn) { proto in
            for n in proto.graph.node.indices where proto.graph.node[n].name == "conv0" {
                for a in proto.graph.node[n].attribute.indices where proto.graph.node[n].attribute[a].name == "strides" {
                    proto.graph.node[n].attribute[a].ints = [Int64.max - 1, 2]
                }
            }
        })
        #expect(stride.contains("node 'conv0'") && stride.contains("strides [9223372036854775806, 2] must be two values in 1...65536"), "\(stride)")
        let huge = Self.failure(try Self.importEdited(dscnn) { proto in
            proto.graph.input[0].type.tensorType.shape.dim[1].dimValue = 2_000_000_000
            proto.graph.input[0].type.tensorType.shape.dim[2].dimValue = 2_000_000_000
        })
        #expect(huge.contains("more than 67108864 values"), "\(huge)")
    }

    @Test func opsetsAndIRVersionsOutsideTheSupportedRangesAreRefused() throws {
        for opset: Int64 in [1, 6, 29, 99_999] {
            let message = Self.failure(try Self.importEdited { $0.opsetImport[0].version = opset })
            #expect(message.contains("opset \(opset) is outside 7...28"), "\(message)")
        }
        for ir: Int64 in [0, 2, 15] {
            let message = Self.failure(try Self.importEdited { $0.irVersion = ir })
            #expect(message.contains("IR version \(ir) is outside 3...14"), "\(message)")
        }
        #expect(Self.failure(try Self.importEdited { $0.opsetImport[0].version = 28 }) == "imported")
    }

    @Test func aShapeWhoseElementCountOverflowsNeverMatchesItsData() {
        #expect(elementCount([1 << 40, 1 << 40]) == .max)
        #expect(elementCount([3, -1]) == .max)
        #expect(elementCount([2, 3, 4]) == 24)
    }
}
