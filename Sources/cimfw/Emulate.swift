import ArgumentParser
import BoardSupport
import CIMHAL
import Firmware
import Foundation

/// Serves an emulated board's device models to the real kernel through the
/// cimbridge module, so firmware on /dev/i2c-N and a GPIO chip talks to them.
struct Emulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve an emulated board's devices behind a real Linux I2C adapter and gpio-sim chip.",
        discussion: """
            Needs the cimbridge module (scripts/hil-qemu/module), gpio-sim and configfs, and root. \
            The eval board and power monitors of the board file answer on both cimbridge adapters \
            (cimbridge-i2c: plain I2C; cimbridge-smbus: SMBus only); RESET, READY and the marker are \
            lines of a gpio-sim chip labelled as the file's gpio.chip. Board time is the models' \
            virtual time, offered to firmware by the bus time device (board file [clock] source = "bus"). \
            Runs until SIGINT or SIGTERM (or --duration), then prints what it served. Exits 0, 1 when \
            serving failed, 2 on bad input.
            """)

    @Option(help: "Emulated board file (backend emulated), e.g. boards/virtual-eval.toml.")
    var board: String = "boards/virtual-eval.toml"

    @Option(help: "The cimbridge character device.")
    var bridge: String = "/dev/cimbridge"

    @Option(help: "I2C address of the bus time device (0x08-0x77), or 'none'.", transform: Emulate.parseAddress)
    var timeAddress: UInt8? = 0x1F

    @Option(help: "errno for an address nobody answers: ENXIO, EREMOTEIO or EIO.", transform: Emulate.parseNACKErrno)
    var nackErrno: Int32 = 6

    @Option(help: "Stop after this much wall time (10s, 2m); default: until SIGINT/SIGTERM.")
    var duration: TimeSpan?

    @Option(help: "Write a line to this file once the devices answer (for scripts that wait for it).")
    var readyFile: String?

    func validate() throws {
        try TimeSpan.validatePositive(duration, option: "duration")
    }

    static func parseAddress(_ text: String) throws -> UInt8? {
        if text == "none" { return nil }
        let digits = text.lowercased().hasPrefix("0x") ? String(text.dropFirst(2)) : text
        guard let value = UInt8(digits, radix: text.lowercased().hasPrefix("0x") ? 16 : 10),
              I2CAddress.validRange.contains(value) else {
            throw ValidationError("--time-address \(text): expected a 7-bit address from 0x08 to 0x77, or 'none'")
        }
        return value
    }

    static func parseNACKErrno(_ text: String) throws -> Int32 {
        switch text.uppercased() {
        case "ENXIO", "6": return 6
        case "EREMOTEIO", "121": return 121
        case "EIO", "5": return 5
        default: throw ValidationError("--nack-errno \(text): expected ENXIO, EREMOTEIO or EIO")
        }
    }

    func run() throws {
        #if canImport(Glibc)
        let description: BoardDescription
        description = try BoardFile.load(path: board)
        guard case let .hardware(configuration) = description, configuration.backend == .emulated else {
            throw CLIError("\(board): cimfw emulate serves an emulated board (backend = \"emulated\"), such as boards/virtual-eval.toml")
        }
        var settings = BridgeEmulator.Settings()
        settings.bridgePath = bridge
        settings.timeAddress = timeAddress
        settings.nackErrno = nackErrno
        let emulator: BridgeEmulator
        do { emulator = try BridgeEmulator(configuration, settings: settings) } catch { throw CLIError.failure("\(board): \(error)") }
        StopSignal.install()
        let start = Date()
        let time = timeAddress.map { " and board time at 0x\(String($0, radix: 16))" } ?? ""
        FileHandle.standardError.write(Data("cimfw emulate: \(configuration.name) on \(bridge)\(time); GPIO chip \(emulator.gpio.chipName) labelled \(emulator.gpio.label)\n".utf8))
        if let readyFile {
            do { try "\(emulator.gpio.chipName)\n".write(toFile: readyFile, atomically: true, encoding: .utf8) }
            catch { throw CLIError("--ready-file \(readyFile): \(error.localizedDescription)") }
        }
        do {
            try emulator.serve {
                StopSignal.isRaised || duration.map { Date().timeIntervalSince(start) >= $0.seconds } ?? false
            }
        } catch {
            throw CLIError.failure("serving \(configuration.name): \(error)")
        }
        let n = emulator.counts
        let adapters = n.byAdapter.keys.sorted().map { "\($0 == 0 ? "i2c" : "smbus") \(n.byAdapter[$0] ?? 0)" }.joined(separator: ", ")
        let addresses = n.byAddress.keys.sorted().map { String(format: "0x%02x %d", $0, n.byAddress[$0] ?? 0) }.joined(separator: ", ")
        print("cimfw emulate: \(n.transfers) transfers (\(adapters.isEmpty ? "none" : adapters)), \(n.nacks) NACKed, \(n.failed) failed; "
            + "READY edges \(n.readyEdges), RESET pulses \(n.resets), marker rises \(n.markerRises); "
            + "board time \(String(format: "%.3f", n.boardSeconds)) s"
            + (addresses.isEmpty ? "" : "; answered by address: \(addresses)"))
        #else
        throw CLIError("cimfw emulate needs Linux (the cimbridge module, gpio-sim)")
        #endif
    }
}
