import ArgumentParser

@main
struct CIMFW: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cimfw",
        abstract: "Firmware and tools for analog compute-in-memory accelerators.",
        version: "0.1.0",
        subcommands: [Run.self, Characterize.self, Compile.self, Accuracy.self, Evaluate.self, Probe.self, Power.self])
}
