import ArgumentParser
import Foundation

@main
struct CIMFW: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cimfw",
        abstract: "Firmware and tools for analog compute-in-memory accelerators.",
        version: "0.1.0",
        subcommands: [Run.self, Characterize.self, Compile.self, Accuracy.self, Classify.self, Evaluate.self, Sweep.self, Probe.self, Power.self, Soak.self, Emulate.self, Log.self])

    /// Exit statuses every command shares: 0 done, 1 the work failed,
    /// 2 bad input (a flag, a file, a value), which argument-parser would
    /// otherwise report as 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as any CommandFailure {
            let message = "\(error)"
            if !message.isEmpty { FileHandle.standardError.write(Data("Error: \(message)\n".utf8)) }
            Foundation.exit(error.exitStatus)
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
