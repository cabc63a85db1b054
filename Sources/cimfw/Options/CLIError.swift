import BoardSupport
import Evaluation
import Firmware
import KWS

/// An error whose exit status the command line knows: `CIMFW.main` prints
/// it as "Error: …" on stderr and exits with `exitStatus`, so every command
/// maps its failures to statuses in one place.
protocol CommandFailure: Error, CustomStringConvertible {
    /// 2: bad input (a flag, a file, a value); 1: the work itself failed.
    var exitStatus: Int32 { get }
}

/// A failure to show the user as it is. Bad input (a file, a flag, a value)
/// exits with status 2; a failure of the work itself, with 1.
struct CLIError: CommandFailure {
    var description: String
    var exitStatus: Int32

    /// Bad input: the message names the file or flag, the value and what was expected.
    init(_ description: String) {
        self.description = description
        exitStatus = 2
    }

    /// The input was fine; the work failed (a device, a bus, a measurement).
    static func failure(_ description: String) -> CLIError {
        var error = CLIError(description)
        error.exitStatus = 1
        return error
    }
}

/// An evaluation that could not finish failed in its work (the board file
/// was read and checked before it started).
extension EvaluationError: CommandFailure {
    var exitStatus: Int32 { 1 }
}

/// The report could not be written where the user asked: the work failed at its end.
extension ReportFiles.WriteError: CommandFailure {
    var exitStatus: Int32 { 1 }
}

/// The command already printed what went wrong, in its own format (a run's
/// JSON lines, a probe's table): only the exit status is left to give.
struct AlreadyReported: CommandFailure {
    var exitStatus: Int32
    var description: String { "" }
}

/// A board file that cannot be read as one is the user's input.
extension BoardFileError: CommandFailure {
    var exitStatus: Int32 { 2 }
}

/// A firmware image, manifest, log path or audio the user named is bad
/// input; a state that failed on the board is the work failing.
extension FirmwareError: CommandFailure {
    var exitStatus: Int32 { isBadInput ? 2 : 1 }
}

/// An audio source the user named that cannot be opened or read.
extension AudioSourceError: CommandFailure {
    var exitStatus: Int32 { 2 }
}

/// A model file the user named that cannot be imported.
extension ModelError: CommandFailure {
    var exitStatus: Int32 { 2 }
}
