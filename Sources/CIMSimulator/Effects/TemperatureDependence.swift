/// Conductance versus die temperature, per cell: G(T) = G(Tref)·(1 + α(T − Tref)),
/// α ~ N(αmean, αstd). The spread matters: the measured coefficient is a
/// per-cell distribution that depends on state and can change sign (Xu et al.,
/// arXiv 2105.05534); aihwkit, CrossSim, MemTorch and NeuroSim do not model it.
public struct TemperatureDependence: Sendable, Hashable, Codable {
    public var enabled: Bool
    public var coefficientMeanPerKelvin: Double
    public var coefficientStdPerKelvin: Double
    public var referenceCelsius: Double

    public init(enabled: Bool, coefficientMeanPerKelvin: Double, coefficientStdPerKelvin: Double, referenceCelsius: Double) {
        self.enabled = enabled
        self.coefficientMeanPerKelvin = coefficientMeanPerKelvin
        self.coefficientStdPerKelvin = coefficientStdPerKelvin
        self.referenceCelsius = referenceCelsius
    }

    public static let off = TemperatureDependence(enabled: false, coefficientMeanPerKelvin: 0, coefficientStdPerKelvin: 0, referenceCelsius: 25)

    public func drawCoefficient(rng: inout SeededGenerator) -> Float {
        guard enabled else { return 0 }
        return Float(coefficientMeanPerKelvin + coefficientStdPerKelvin * rng.nextGaussian())
    }

    @inlinable
    public func factor(coefficientPerKelvin: Float, dieCelsius: Double) -> Double {
        guard enabled else { return 1 }
        return max(0, 1 + Double(coefficientPerKelvin) * (dieCelsius - referenceCelsius))
    }
}
