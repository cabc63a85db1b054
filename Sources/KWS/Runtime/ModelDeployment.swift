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

    public static func deploy(_ model: GRUModel, on accelerator: any CIMAccelerator, policy: WriteVerifyPolicy,
                              calibration: CalibrationMethod?, faultScan: Bool = true,
                              options: TileCompiler.Options = .init()) throws(Failure) -> ModelDeployment {
        let geometry = accelerator.geometry
        var plan: CompiledModel
        do { plan = try TileCompiler.compile(model, for: geometry, options: options) } catch { throw .compile(error) }
        var maps: [TileFaultMap] = []
        do {
            if faultScan {
                for piece in plan.pieces { maps.append(try FaultScan.scan(accelerator, tile: piece.tile, policy: policy)) }
                do { plan = try TileCompiler.compile(model, for: geometry, faults: maps, options: options) } catch { throw Failure.compile(error) }
            }
            let runtime = try AcceleratorRuntime(compiled: plan, accelerator: accelerator, policy: policy)
            if let calibration { _ = try runtime.calibrate(method: calibration) }
            return ModelDeployment(runtime: runtime, faultMaps: maps)
        } catch let error as Failure {
            throw error
        } catch let error as HALError {
            throw .hardware(error)
        } catch {
            throw .hardware(.invalidArgument("\(error)"))
        }
    }
}
