import ArgumentParser
import BoardSupport
import CIMHAL
import Foundation

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan a board's I2C bus, identify each chip, and check it against the board file.",
        discussion: "Exits 0 when every device the board file names answers as that device, 1 when not, 2 when the bus could not be probed at all.")

    @Option(help: "Hardware board file (backend linux or emulated).")
    var board: String

    func run() throws {
        guard case let .hardware(configuration) = try BoardFile.load(path: board) else {
            throw CLIError("\(board): a simulated board has no bus to probe; give a board file with backend \"linux\" or \"emulated\"")
        }
        var bus: any I2CBus
        // A bus that cannot be opened means nothing could be probed: 2, as for bad input, apart from 1 (a mismatch).
        do { bus = try HardwareBoard.openBus(configuration) } catch { throw CLIError("\(board): \(error)") }
        let report = BoardProbe.run(&bus, against: configuration)
        print("I2C bus \(configuration.backend == .linux ? "/dev/i2c-\(configuration.i2cBus)" : "(emulated)") of \(configuration.name):")
        if report.findings.isEmpty { print("  no device answers") }
        for finding in report.findings {
            print("  0x\(hex(finding.address))  \(finding.identity)")
        }
        print("Board file \(board):")
        for check in report.checks {
            let found = check.found.map { "\($0)" } ?? "nothing answers"
            let verdict = !check.matches ? "MISMATCH" : check.verified ? "ok      " : "ok?     "
            print("  \(verdict) 0x\(hex(check.address))  expected \(check.expected); found \(found)")
        }
        for extra in report.unexpected {
            print("  note     0x\(hex(extra.address))  \(extra.identity), not in the board file")
        }
        if !report.matches { throw AlreadyReported(exitStatus: 1) }
    }

    private func hex(_ address: UInt8) -> String {
        let digits = String(address, radix: 16)
        return digits.count < 2 ? "0" + digits : digits
    }
}
