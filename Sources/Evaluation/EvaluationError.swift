import CIMHAL

/// Why an evaluation stopped: on which board file, and what failed there.
public enum EvaluationError: Error, CustomStringConvertible, Sendable {
    /// A measurement failed on the board file (or "float runtime", "CPU runtime").
    case measurement(boardFile: String, MeasurementFailure)
    case invalidSetting(String)

    public var description: String {
        switch self {
        case let .measurement(file, failure): return "\(file): \(failure)"
        case let .invalidSetting(message): return message
        }
    }
}

/// What failed in a measurement; the evaluator adds which board it was on.
public enum MeasurementFailure: Error, CustomStringConvertible, Sendable {
    case deployment(reason: String)
    case hardware(step: String, HALError)
    case inference(reason: String)
    case noPowerSource

    public var description: String {
        switch self {
        case let .deployment(reason): return "porting the model failed: \(reason)"
        case let .hardware(step, error): return "\(step) failed: \(error)"
        case let .inference(reason): return "inference failed: \(reason)"
        case .noPowerSource:
            return "the board has neither a power monitor nor an energy model, so energy per inference cannot be measured"
        }
    }
}
