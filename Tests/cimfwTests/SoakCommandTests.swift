import Foundation
import Testing

/// `cimfw soak`: the firmware on a bus that NACKs, times out and flips bits
/// (1% each), with every accepted reading checked against the device models.
@Suite struct SoakCommandTests {
    let runner = CharacterizeCommandTests()

    @Test func twoMinutesOnTheGlitchyBoardMeetTheTarget() throws {
        let result = try runner.run(["soak", "--board", "boards/virtual-eval-glitchy.toml", "--duration", "2m", "--json"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((report["transactions"] as? Int ?? 0) >= 1_000_000, "CI's short soak: at least 10^6 transactions")
        let injected = try #require(report["injected"] as? [String: Int])
        let checked = try #require(report["checked"] as? [String: Int])
        let eval = try #require(report["eval_board"] as? [String: Int])
        #expect((injected["nacks"] ?? 0) > 100 && (injected["timeouts"] ?? 0) > 100 && (injected["corrupted_reads"] ?? 0) > 100)
        #expect(checked["wrong_multiplies"] == 0 && checked["wrong_samples"] == 0)
        #expect((checked["multiplies"] ?? 0) > 1000 && (checked["samples"] ?? 0) > 20)
        #expect((eval["pec_mismatches"] ?? 0) > 0, "corrupted eval-board reads are caught by PEC")
        #expect(report["inferences"] as? Int == report["expected_inferences"] as? Int)
        #expect(report["target_met"] as? Bool == true)
    }

    @Test func aBoardWithoutAnEmulatedBusIsBadInput() throws {
        let result = try runner.run(["soak", "--board", "boards/sim-rram-256.toml", "--duration", "5s"])
        #expect(result.status == 2 && result.stdout.isEmpty)
        #expect(result.stderr.contains("boards/sim-rram-256.toml") && result.stderr.contains("board.backend") && result.stderr.contains("\"emulated\""))
    }
}
