import ArgumentParser
import Firmware
import Foundation

/// `cimfw log`: the energy log after a run.
struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with an energy log the firmware wrote.",
        subcommands: [Export.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export an energy-log store (SQLite) as CSV.",
            discussion: """
                The CSV has the columns and values of a log written with `--log FILE.csv`: time_s, wall_time, kind, \
                inferences, energy_j, energy_per_inference_j, average_power_w, idle_power_w, temperature_c, \
                calibration_epoch, detections, keyword, source; one row per inference and per period, in the order written.
                """)

        @Argument(help: "The store a run wrote (`energy.sqlite`, or `--log` of `cimfw run`).")
        var store: String

        @Flag(help: "Write CSV (the one export format).")
        var csv = false

        @Option(help: "Write to this file (atomically) instead of standard output.")
        var out: String?

        func validate() throws {
            guard csv else { throw ValidationError("give --csv: CSV is the export format") }
            guard EnergyLogExport.isStore(store) else {
                throw ValidationError("\(store) is a CSV log already; export reads a SQLite store (any other extension)")
            }
            guard FileManager.default.fileExists(atPath: store) else {
                throw ValidationError("\(store): no such energy-log store")
            }
        }

        func run() throws {
            let bytes: [UInt8]
            do { bytes = try EnergyLogExport.csv(fromStore: store) } catch { throw CLIError("\(error)") }
            guard let out else {
                FileHandle.standardOutput.write(Data(bytes))
                return
            }
            do { try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
                throw CLIError.failure("\(out): writing the CSV failed: \(error.localizedDescription)")
            }
        }
    }
}
