#if canImport(Glibc)
import Glibc
#endif

/// The run's energy log: rows go to the writer; a disk that is full is a
/// recorded fault, not the end of the run — rows stay queued (the oldest
/// dropped beyond 1 MiB) and go out when space returns. Any other write
/// error fails the run.
final class EnergyLogSink {
    let writer: any EnergyLogDestination
    private let firmware: KWSFirmware
    private var stalled = false

    init(writer: any EnergyLogDestination, firmware: KWSFirmware) {
        self.writer = writer
        self.firmware = firmware
    }

    /// Appends `record`; returns the error that ends the run, if any.
    func append(_ record: EnergyLogRecord, nowSeconds: Double) -> FirmwareError? {
        do throws(LogError) {
            try writer.write(record, nowSeconds: nowSeconds)
            if stalled {
                stalled = false
                firmware.emit(.note("energy log: writing again; \(writer.recordsDropped) records dropped while it could not"))
            }
            return nil
        } catch {
            guard let code = error.errno, [ENOSPC, EDQUOT, EFBIG].contains(code) else { return .log("\(error)") }
            if !stalled {
                stalled = true
                firmware.record(.logWriteFailed, "\(error)",
                                action: "rows kept in memory (the oldest dropped beyond 1 MiB); spotting continues, writing resumes when space returns",
                                recovered: true)
            }
            return nil
        }
    }
}
