import Foundation

/// What a firmware watchdog expiry means for the cimfw process: like a
/// hardware watchdog reset, it ends with status 3, for a service manager to
/// restart it (docs/raspberry-pi.md, exit statuses).
enum WatchdogReset {
    static let exitStatus: Int32 = 3

    @Sendable static func exitProcess(silentSeconds: Double) {
        FileHandle.standardError.write(Data("cimfw: watchdog: no task completed for \(String(format: "%.1f", silentSeconds)) s; exiting as a watchdog reset\n".utf8))
        exit(exitStatus)
    }
}
