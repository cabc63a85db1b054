import Foundation
import Testing

/// `cimfw power` as a user runs it: CSV on stdout, one row per sample.
@Suite struct PowerCommandTests {
    let runner = CharacterizeCommandTests()

    @Test func streamsCSVAtTheRequestedRateForTheRequestedTime() throws {
        let result = try runner.run(["power", "--board", "boards/sim-rram-256.toml", "--duration", "2s", "--rate", "5"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "timestamp_seconds,rail,bus_volts,current_amps,power_watts")
        let rows = lines.dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(rows.count == 10)
        let times: [Double] = rows.compactMap { Double($0[0]) }
        let expected: [Double] = (1...10).map { Double($0) * 0.2 }
        #expect(zip(times, expected).allSatisfy { abs($0 - $1) < 1e-6 } && times.count == 10)
        // An idle simulated RRAM board draws its static 20 mW plus 250 mW of board overhead.
        for row in rows {
            #expect(row[1] == "board")
            let volts = Double(row[2]) ?? 0, amps = Double(row[3]) ?? 0, watts = Double(row[4]) ?? 0
            #expect(abs(watts - 0.27) < 1e-6)
            #expect(abs(volts * amps - watts) < 1e-5)
        }
    }

    @Test func anEmulatedBoardIsMeasuredThroughItsINA226() throws {
        let result = try runner.run(["power", "--board", "boards/virtual-eval.toml", "--duration", "1s", "--rate", "4"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(rows.count == 4)
        for row in rows {
            // The idle board draws 0.27 W at 3.3 V; the INA226 with a 10 mΩ shunt and a 3.2 A range
            // resolves its 81.8 mA in 2.5 µV shunt steps and truncating arithmetic: within 1%.
            let watts = Double(row[4]) ?? 0, volts = Double(row[2]) ?? 0
            #expect(abs(watts - 0.27) < 0.0027, "\(row)")
            #expect(abs(volts - 3.3) < 0.00125)
        }
    }

    @Test func aBadDurationIsRefusedBeforeAnythingIsPrinted() throws {
        let result = try runner.run(["power", "--duration", "soon"])
        #expect(result.status == 2 && result.stdout.isEmpty, "bad input exits 2: \(result.status)")
        #expect(result.stderr.contains("'soon'") && result.stderr.contains("--duration"), "names the option and the value")
        #expect(result.stderr.contains("expected a positive duration"), "and says what is expected")
    }
}
