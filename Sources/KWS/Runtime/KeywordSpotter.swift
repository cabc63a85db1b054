import CIMHAL

/// Audio to class probabilities: the MFCC frontend, the image's
/// normalisation, then the model on the float reference or on an
/// accelerator. One second of audio in, one inference out.
///
/// Buffers are sized for `samples` at creation; `classify` allocates nothing.
public final class KeywordSpotter {
    public enum Backend {
        case float(FloatRuntime)
        case accelerator(AcceleratorRuntime)
    }

    public enum Failure: Error, CustomStringConvertible {
        case frontend(FrontendError)
        case model(ModelError)
        case hardware(HALError)

        public var description: String {
            switch self {
            case .frontend(let e): return "frontend: \(e)"
            case .model(let e): return "model: \(e)"
            case .hardware(let e): return "accelerator: \(e)"
            }
        }
    }

    public let backend: Backend
    public let frontend: MFCCFrontend
    public let normalisation: FeatureNormalisation
    public let samplesPerInference: Int
    private var features: [Float]

    public init(backend: Backend, normalisation: FeatureNormalisation, samplesPerInference: Int = 16_000) throws(FrontendError) {
        self.backend = backend
        self.normalisation = normalisation
        frontend = try MFCCFrontend()
        self.samplesPerInference = samplesPerInference
        features = [Float](repeating: 0, count: frontend.frameCount(sampleCount: samplesPerInference) * frontend.settings.coefficients)
    }

    public var outputs: Int {
        switch backend {
        case .float(let r): return r.model.outputs
        case .accelerator(let r): return r.compiled.model.outputs
        }
    }

    /// Probabilities for `samples` (exactly `samplesPerInference` at 16 kHz).
    public func classify(samples: UnsafeBufferPointer<Float>, into probabilities: UnsafeMutableBufferPointer<Float>) throws(Failure) {
        guard samples.count == samplesPerInference else {
            throw .frontend(FrontendError(message: "\(samples.count) samples; this spotter takes \(samplesPerInference) per inference"))
        }
        do {
            try features.withUnsafeMutableBufferPointer { (f) throws(FrontendError) in
                try frontend.compute(samples, into: f)
                normalisation.apply(f)
            }
        } catch {
            throw .frontend(error)
        }
        try classify(features: features.withUnsafeBufferPointer { $0 }, into: probabilities)
    }

    /// Probabilities for already normalised frames.
    public func classify(features: UnsafeBufferPointer<Float>, into probabilities: UnsafeMutableBufferPointer<Float>) throws(Failure) {
        switch backend {
        case .float(let runtime):
            do { try runtime.classify(features, into: probabilities) } catch { throw .model(error) }
        case .accelerator(let runtime):
            do { try runtime.classify(features, into: probabilities) } catch { throw .hardware(error) }
        }
    }

    /// Probabilities for `clips` clips of already normalised frames, of equal
    /// length, one after the other in `batch`; `probabilities` gets clips x
    /// outputs. On an accelerator every tile product is one batched MVM for
    /// all the clips; the float reference takes them one by one.
    public func classify(batch: UnsafeBufferPointer<Float>, clips: Int, into probabilities: UnsafeMutableBufferPointer<Float>) throws(Failure) {
        switch backend {
        case .float(let runtime):
            guard clips > 0, batch.count % clips == 0, probabilities.count % clips == 0 else {
                throw .model(ModelError("\(batch.count) input values and room for \(probabilities.count) outputs are not \(clips) clips' worth"))
            }
            let values = batch.count / clips, outputs = probabilities.count / clips
            for c in 0..<clips {
                do {
                    try runtime.classify(UnsafeBufferPointer(rebasing: batch[(c * values)..<((c + 1) * values)]),
                                         into: UnsafeMutableBufferPointer(rebasing: probabilities[(c * outputs)..<((c + 1) * outputs)]))
                } catch { throw .model(error) }
            }
        case .accelerator(let runtime):
            do { try runtime.classify(batch: batch, clips: clips, into: probabilities) } catch { throw .hardware(error) }
        }
    }
}
