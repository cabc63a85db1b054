import CIMHAL

/// Why an evaluation stopped. Each case names the board file it was on.
public enum EvaluationError: Error, CustomStringConvertible, Sendable {
    case deployment(boardFile: String, reason: String)
    case hardware(boardFile: String, step: String, HALError)
    case inference(boardFile: String, reason: String)
    case noPowerSource(boardFile: String)
    case invalidSetting(String)

    public var description: String {
        switch self {
        case let .deployment(file, reason): return "\(file): porting the model failed: \(reason)"
        case let .hardware(file, step, error): return "\(file): \(step) failed: \(error)"
        case let .inference(file, reason): return "\(file): inference failed: \(reason)"
        case let .noPowerSource(file):
            return "\(file): the board has neither a power monitor nor an energy model, so energy per inference cannot be measured"
        case let .invalidSetting(message): return message
        }
    }
}
