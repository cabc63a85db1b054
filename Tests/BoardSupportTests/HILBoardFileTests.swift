import BoardSupport
import CIMHAL
import Foundation
import Testing

/// The board files of the real-kernel HIL tier (boards/hil-qemu*.toml) and
/// the keys they introduced: `[clock]`, `eval_board.long_transfers`, and
/// `[eval_board]`/`[gpio]` left out of a file that only probes and logs power.
@Suite("HIL board files")
struct HILBoardFileTests {
    func hardware(_ path: String) throws -> HardwareBoardConfiguration {
        guard case let .hardware(c) = try BoardFile.load(path: path) else {
            throw BoardFileError(.inconsistent, file: path, expected: "a hardware board")
        }
        return c
    }

    @Test func theQEMUBoardsNameTheBridgeAdaptersTheBusClockAndTheEmulatorsLines() throws {
        let plain = try hardware(Presets.directory.appendingPathComponent("hil-qemu.toml").path)
        let smbus = try hardware(Presets.directory.appendingPathComponent("hil-qemu-smbus.toml").path)
        let virtual = try hardware(Presets.directory.appendingPathComponent("virtual-eval.toml").path)
        #expect(plain.backend == .linux && plain.i2cBus == 0 && smbus.i2cBus == 1)
        #expect(plain.clock == .bus(address: 0x1F) && smbus.clock == plain.clock)
        #expect(plain.longTransfers && smbus.longTransfers, "asked for; the SMBus adapter's limits refuse it")
        #expect(plain.combinedTransactions && smbus.combinedTransactions, "asked for; the SMBus adapter cannot join writes")
        // cimfw emulate serves virtual-eval's devices and names its lines: the two files must agree.
        #expect(plain.evalBoardAddress == virtual.evalBoardAddress)
        #expect(plain.powerMonitors.map(\.address) == virtual.powerMonitors.map(\.address))
        #expect([plain.gpioChip, plain.resetLine, plain.readyLine, plain.markerLine]
            == [virtual.gpioChip, virtual.resetLine, virtual.readyLine, virtual.markerLine])
        #expect(virtual.longTransfers && virtual.combinedTransactions && virtual.clock == .monotonic)
        let glitchy = try hardware(Presets.directory.appendingPathComponent("virtual-eval-glitchy.toml").path)
        #expect(!glitchy.longTransfers && !glitchy.combinedTransactions, "the soak board keeps the SMBus path")
    }

    @Test func probeAndPowerNeedNeitherAnEvalBoardNorGPIOLines() throws {
        let sandbox = try BoardSandbox()
        let path = try sandbox.write("monitors.toml", """
            [board]
            name = "monitors"
            backend = "linux"
            [i2c]
            bus = 1
            force_address = false
            [power.board]
            chip = "ina226"
            address = 0x40
            rshunt_micro_ohms = 10000
            max_current_amps = 3.2
            averaging = 1
            bus_conversion_microseconds = 140
            shunt_conversion_microseconds = 140
            """)
        let c = try hardware(path)
        #expect(!c.hasEvalBoard && !c.hasGPIO)
        #expect(c.powerMonitors.count == 1)
        // The firmware needs both, and says so before touching a device.
        #expect(throws: HALError.self) { try HardwareBoard.open(c) }
        do { _ = try HardwareBoard.open(c) } catch {
            #expect("\(error)".contains("[eval_board]") && "\(error)".contains("probe"), "\(error)")
        }
    }

    @Test func anEvalBoardWithoutGPIOLinesIsRefusedNamingTheTable() throws {
        let sandbox = try BoardSandbox()
        let text = try String(contentsOfFile: Presets.directory.appendingPathComponent("rpi4-cim-eval.toml").path, encoding: .utf8)
        let withoutGPIO = text.replacingOccurrences(of: "[gpio]\nchip = \"pinctrl-bcm2711\"\nreset_line = \"GPIO17\"\nready_line = \"GPIO27\"\nmarker_line = \"GPIO22\"\n", with: "")
        #expect(withoutGPIO != text)
        let path = try sandbox.write("no-gpio.toml", withoutGPIO)
        let error = try #require(throws: BoardFileError.self) { try BoardFile.load(path: path) }
        expectMentions(error, "no-gpio.toml", "gpio.chip", "RESET")
    }

    @Test func aBusClockNeedsItsAddressAndALinuxBoard() throws {
        let sandbox = try BoardSandbox()
        let rpi = try String(contentsOfFile: Presets.directory.appendingPathComponent("rpi4-cim-eval.toml").path, encoding: .utf8)
        let noAddress = try sandbox.write("no-address.toml", rpi + "\n[clock]\nsource = \"bus\"\n")
        expectMentions(try #require(throws: BoardFileError.self) { try BoardFile.load(path: noAddress) }, "clock.address")
        let badSource = try sandbox.write("bad-source.toml", rpi + "\n[clock]\nsource = \"gps\"\n")
        expectMentions(try #require(throws: BoardFileError.self) { try BoardFile.load(path: badSource) }, "clock.source", "gps")
        let ok = try sandbox.write("bus-clock.toml", rpi + "\n[clock]\nsource = \"bus\"\naddress = 0x1F\n")
        #expect(try hardware(ok).clock == .bus(address: 0x1F))
    }
}
