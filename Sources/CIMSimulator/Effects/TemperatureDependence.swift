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

extension TemperatureDependence: ConductanceStage {
    public var cellStream: RandomStream? { .temperature }

    public func drawCellParameter(rng: inout SeededGenerator) -> Float { drawCoefficient(rng: &rng) }

    /// Moved when the steepest cells (|α| at mean + 3σ) have moved 0.1% of
    /// their conductance.
    public func hasMoved(since last: FoldConditions, to now: FoldConditions) -> Bool {
        let steepestPerKelvin = abs(coefficientMeanPerKelvin) + 3 * coefficientStdPerKelvin
        return enabled && abs(now.celsius - last.celsius) * max(1e-6, steepestPerKelvin) > 1e-3
    }

    public func fold(_ g: UnsafeMutableBufferPointer<Double>, cellParameters alpha: UnsafeBufferPointer<Float>, in array: ConductanceFold) {
        guard enabled else { return }
        for n in 0..<g.count { g[n] *= factor(coefficientPerKelvin: alpha[n], dieCelsius: array.celsius) }
    }
}

extension TemperatureDependence: BoardFileTable {
    public static let parameters: [SimulatorParameter<Self>] = [
        .init("enabled", .flag(\.enabled), optional: .flag(false)),
        .init("coefficient_mean_per_kelvin", .real(\.coefficientMeanPerKelvin, range: -0.1...0.1, fileToModel: 1), whenOff: .real(0)),
        .init("coefficient_std_per_kelvin", .real(\.coefficientStdPerKelvin, range: 0...0.1, fileToModel: 1), whenOff: .real(0)),
        .init("reference_celsius", .real(\.referenceCelsius, range: -55...150, fileToModel: 1), whenOff: .real(25)),
    ]
}
