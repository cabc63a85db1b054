import CIMHAL

/// Putting a model on an accelerator the way the firmware does: compile,
/// scan the tiles the plan uses for stuck cells and place around them,
/// program with write-verify, calibrate.
public struct ModelDeployment {
    public var runtime: AcceleratorRuntime
    public var faultMaps: [TileFaultMap]
    public var compiled: CompiledModel { runtime.compiled }

    public enum Failure: Error, CustomStringConvertible {
        case compile(CompileError)
        case hardware(HALError)
        public var description: String {
            switch self {
            case .compile(let e): return "compiling: \(e)"
            case .hardware(let e): return "accelerator: \(e)"
            }
        }
    }

    public static func deploy(_ model: NeuralNetwork, on accelerator: any CIMAccelerator, policy: WriteVerifyPolicy,
                              calibration: CalibrationMethod?, faultScan: Bool = true,
                              options: TileCompiler.Options = .init()) throws(Failure) -> ModelDeployment {
        let geometry = accelerator.geometry
        func compile(_ faults: [TileFaultMap]) throws(Failure) -> CompiledModel {
            do { return try TileCompiler.compile(model, for: geometry, faults: faults, options: options) } catch { throw .compile(error) }
        }
        func hardware<T>(_ step: () throws(HALError) -> T) throws(Failure) -> T {
            do { return try step() } catch { throw .hardware(error) }
        }
        var plan = try compile([])
        var maps: [TileFaultMap] = []
        if faultScan {
            for piece in plan.pieces {
                maps.append(try hardware { () throws(HALError) in try FaultScan.scan(accelerator, tile: piece.tile, policy: policy) })
            }
            plan = try compile(maps)
        }
        let compiled = plan
        let runtime = try hardware { () throws(HALError) in try AcceleratorRuntime(compiled: compiled, accelerator: accelerator, policy: policy) }
        if let calibration {
            _ = try hardware { () throws(HALError) in try runtime.calibrate(method: calibration) }
        }
        return ModelDeployment(runtime: runtime, faultMaps: maps)
    }
}
