/// Where the firmware is in its life. Boot runs the first five in order;
/// a fault interrupts `run` and recovery returns to it (or stops).
public enum FirmwareState: String, Sendable, Hashable, Codable {
    case boot
    case selfTest = "self-test"
    case program
    case verify
    case calibrate
    case run
    case fault
    case stopped
}

/// What went wrong, named for the log and the summary.
public enum FaultKind: String, Sendable, Hashable, Codable {
    /// A bus transaction failed (NACK, timeout, lost arbitration) and was retried.
    case busError = "bus-error"
    /// The power monitor stopped answering; energy continues from the model.
    case powerMonitorLost = "power-monitor-lost"
    /// A tile's multiplies moved past their error bound; it was rewritten.
    case tileError = "tile-error"
    /// The energy log could not be written (a full disk, a quota); spotting went on.
    case logWriteFailed = "log-write-failed"
    /// A task finished after its deadline.
    case deadlineMissed = "deadline-missed"
    /// No task completed within the watchdog timeout.
    case watchdog
    /// The accelerator disagreed with the float model after programming.
    case verification
    /// The fleet-metrics file could not be replaced; spotting went on.
    case metricsWriteFailed = "metrics-write-failed"
}

public struct FaultRecord: Sendable, Hashable, Codable {
    public var kind: FaultKind
    public var boardSeconds: Double
    public var message: String
    /// What recovery did about it.
    public var action: String
    public var recovered: Bool
}

/// Why a calibration ran.
public enum CalibrationReason: String, Sendable, Hashable, Codable {
    case boot
    case period
    case temperature
    case referenceDrift = "reference-drift"
    case reprogram
}

public struct CalibrationRecord: Sendable, Hashable, Codable {
    public var epoch: Int
    public var reason: CalibrationReason
    public var boardSeconds: Double
    public var dieCelsius: Double
    public var durationSeconds: Double
    public var energyJoules: Double
}

/// The image's test set classified by the running accelerator: what
/// accuracy the board gives now, at this temperature and calibration age.
public struct AccuracyProbe: Sendable, Hashable, Codable {
    public var boardSeconds: Double
    public var dieCelsius: Double
    public var calibrationEpoch: Int
    public var secondsSinceCalibration: Double
    public var clips: Int
    public var correct: Int
    /// Clips where the accelerator gives the float model's class.
    public var agreeing: Int
    public var accuracy: Double { clips > 0 ? Double(correct) / Double(clips) : 0 }
    public var agreement: Double { clips > 0 ? Double(agreeing) / Double(clips) : 0 }
}
