import BoardSupport
import CIMHAL
import Foundation
import KWS

/// A board with the model on it, and how long the port took.
struct DeployedModel {
    let board: Board
    let deployment: ModelDeployment
    let spotter: KeywordSpotter
    let compileSeconds: Double
    let faultScanAndProgramSeconds: Double
    let calibrateSeconds: Double

    var runtime: AcceleratorRuntime { deployment.runtime }

    /// Compiles, scans for stuck cells, programs with write-verify and
    /// calibrates: the whole port, timed on the host's clock.
    static func deploy(_ image: KWSImage, on board: Board) throws(MeasurementFailure) -> DeployedModel {
        let t0 = HostClock.seconds()
        do {
            _ = try TileCompiler.compile(image.model, for: board.accelerator.geometry)
        } catch {
            throw .deployment(reason: "\(error)")
        }
        let t1 = HostClock.seconds()
        let deployment: ModelDeployment
        do {
            deployment = try ModelDeployment.deploy(image.model, on: board.accelerator, policy: board.programmingPolicy,
                                                    calibration: nil, faultScan: true)
        } catch {
            throw .deployment(reason: "\(error)")
        }
        let t2 = HostClock.seconds()
        do {
            _ = try deployment.runtime.calibrate(method: board.calibrationMethod)
        } catch {
            throw .hardware(step: "calibration", error)
        }
        let t3 = HostClock.seconds()
        let spotter: KeywordSpotter
        do {
            spotter = try KeywordSpotter(backend: .accelerator(deployment.runtime), normalisation: image.normalisation)
        } catch {
            throw .deployment(reason: "\(error)")
        }
        return DeployedModel(board: board, deployment: deployment, spotter: spotter, compileSeconds: t1 - t0,
                             faultScanAndProgramSeconds: t2 - t1, calibrateSeconds: t3 - t2)
    }

    func recalibrate() throws(MeasurementFailure) {
        do { _ = try runtime.calibrate(method: board.calibrationMethod) } catch {
            throw .hardware(step: "calibration", error)
        }
    }

    /// Arg-max class of every clip, `batch` clips at a time.
    func predictions(_ set: TestSet, batch: Int) throws(MeasurementFailure) -> [Int] {
        do { return try spotter.predictions(set, batch: batch) } catch {
            throw .inference(reason: "\(error)")
        }
    }

    func accuracy(_ set: TestSet, batch: Int) throws(MeasurementFailure) -> Double {
        Self.accuracy(try predictions(set, batch: batch), set)
    }

    static func accuracy(_ predictions: [Int], _ set: TestSet) -> Double {
        guard !set.clips.isEmpty else { return 0 }
        return Double(zip(predictions, set.clips).filter { $0 == $1.classIndex }.count) / Double(set.clips.count)
    }
}

enum HostClock {
    /// CLOCK_MONOTONIC seconds.
    static func seconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// CPU time of the calling thread, seconds: what the float model costs a
    /// core, unaffected by other processes on a shared machine.
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
