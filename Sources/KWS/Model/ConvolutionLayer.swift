/// A 2-D convolution as ONNX `Conv` defines it (NCHW, batch 1, dilation 1),
/// followed by an elementwise activation. `groups` splits the channels:
/// 1 is a full convolution, `inChannels` a depthwise one.
///
/// Weights keep ONNX's layout [outChannels, inChannels / groups, kernelHeight,
/// kernelWidth], so output channel o is one row of rowsPerGroup weights over
/// the patch of its group's input channels.
public struct ConvolutionLayer: Sendable, Hashable {
    public struct Padding: Sendable, Hashable {
        public var top, left, bottom, right: Int
        public init(top: Int = 0, left: Int = 0, bottom: Int = 0, right: Int = 0) {
            self.top = top
            self.left = left
            self.bottom = bottom
            self.right = right
        }
    }

    public var inChannels: Int
    public var outChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideY: Int
    public var strideX: Int
    public var padding: Padding
    public var groups: Int
    public var w: [Float]
    public var b: [Float]
    public var activation: Activation

    public init(inChannels: Int, outChannels: Int, kernelHeight: Int, kernelWidth: Int, strideY: Int = 1, strideX: Int = 1,
                padding: Padding = Padding(), groups: Int = 1, w: [Float], b: [Float], activation: Activation = .identity) throws(ModelError) {
        guard inChannels > 0, outChannels > 0, kernelHeight > 0, kernelWidth > 0, strideY > 0, strideX > 0 else {
            throw ModelError("convolution sizes must be positive, got \(inChannels)→\(outChannels) channels, kernel \(kernelHeight)x\(kernelWidth), stride \(strideY)x\(strideX)")
        }
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw ModelError("convolution groups \(groups) must divide both channel counts (\(inChannels) in, \(outChannels) out)")
        }
        let p = padding
        guard p.top >= 0, p.left >= 0, p.bottom >= 0, p.right >= 0, p.top < kernelHeight, p.bottom < kernelHeight,
              p.left < kernelWidth, p.right < kernelWidth else {
            throw ModelError("convolution padding (top \(p.top), left \(p.left), bottom \(p.bottom), right \(p.right)) must be at least 0 and less than the kernel \(kernelHeight)x\(kernelWidth)")
        }
        let kernel = kernelHeight.multipliedReportingOverflow(by: kernelWidth)
        let rows = (inChannels / groups).multipliedReportingOverflow(by: kernel.partialValue)
        let weights = outChannels.multipliedReportingOverflow(by: rows.partialValue)
        guard !kernel.overflow, !rows.overflow, !weights.overflow, w.count == weights.partialValue, b.count == outChannels else {
            throw ModelError("convolution \(inChannels)→\(outChannels) (kernel \(kernelHeight)x\(kernelWidth), groups \(groups)) needs \(outChannels) x \(inChannels / groups) x \(kernelHeight) x \(kernelWidth) weights and \(outChannels) biases, got \(w.count) and \(b.count)")
        }
        for (name, array) in [("weight", w), ("bias", b)] {
            if let bad = array.firstIndex(where: { !$0.isFinite }) {
                throw ModelError("convolution \(name)[\(bad)] is \(array[bad]), expected a finite number")
            }
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.padding = padding
        self.groups = groups
        self.w = w
        self.b = b
        self.activation = activation
    }

    /// Weights per output channel: its group's input channels times the kernel.
    public var rowsPerGroup: Int { inChannels / groups * kernelHeight * kernelWidth }
    public var isDepthwise: Bool { groups > 1 && groups == inChannels }

    /// The output of an input `height` x `width`, or nil when the kernel does not fit.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int)? {
        let h = height + padding.top + padding.bottom - kernelHeight, w = width + padding.left + padding.right - kernelWidth
        guard h >= 0, w >= 0 else { return nil }
        return (h / strideY + 1, w / strideX + 1)
    }
}
