import Foundation
import Testing
@testable import CIMSimulator

/// `ResistiveNetwork` against a circuit simulator nobody here wrote:
/// ngspice solves the same crossbar netlist (word lines driven through one
/// wire segment, open at the far end; bit lines open at the top, into a 0 V
/// sense node through one segment at the bottom; one resistor per cell) at
/// its DC operating point. Runs where ngspice is installed
/// (`scripts/install-dependencies.sh test` installs it; CI does).
///
/// 256×256 is opt-in (`CIMFW_SPICE_LARGE=1`): Debian 12's ngspice 39 is
/// built without KLU, and its Sparse 1.3 solver takes 3.5 s on a 64×64
/// crossbar and 110 s on 128×128; at that growth 256×256 would take about
/// an hour.
/// Where ngspice is, if it is installed.
enum Ngspice {
    static let path: String? = ["/usr/bin/ngspice", "/usr/local/bin/ngspice"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// The crossbars compared: 32×32 and 128×128 always, 256×256 on request.
    static let sizes = ProcessInfo.processInfo.environment["CIMFW_SPICE_LARGE"] == "1" ? [32, 128, 256] : [32, 128]
    static let cases = sizes.flatMap { size in [(size, 0.1), (size, 1.0)] }
}

@Suite(.enabled(if: Ngspice.path != nil, "ngspice is not installed (apt-get install ngspice): the circuit-simulator anchor is skipped"))
struct IRDropSPICETests {
    /// A square crossbar with random cells (1–40 µS, the RRAM preset's
    /// range) and random positive row voltages up to the 0.2 V read voltage.
    struct Crossbar {
        let size: Int
        let ohms: Double
        let conductances: [Double]
        let rowVolts: [Double]

        init(size: Int, ohms: Double, seed: UInt64) {
            var rng = SeededGenerator(seed: seed)
            self.size = size
            self.ohms = ohms
            conductances = (0..<(size * size)).map { _ in 1e-6 + 39e-6 * rng.nextUnitDouble() }
            rowVolts = (0..<size).map { _ in 0.2 * rng.nextUnitDouble() }
        }

        var netlist: String {
            let n = size
            var lines = ["* \(n)x\(n) crossbar, \(ohms) ohm per wire segment"]
            lines.reserveCapacity(3 * n * n + 4 * n + 8)
            func r(_ x: Double) -> String { String(format: "%.17g", x) }
            for i in 0..<n {
                lines.append("V\(i) d\(i) 0 DC \(r(rowVolts[i]))")
                lines.append("RD\(i) d\(i) u\(i)_0 \(r(ohms))")
                for p in 0..<(n - 1) { lines.append("RW\(i)_\(p) u\(i)_\(p) u\(i)_\(p + 1) \(r(ohms))") }
                for p in 0..<n { lines.append("RC\(i)_\(p) u\(i)_\(p) b\(i)_\(p) \(r(1 / conductances[i * n + p]))") }
            }
            for p in 0..<n {
                for i in 0..<(n - 1) { lines.append("RB\(i)_\(p) b\(i)_\(p) b\(i + 1)_\(p) \(r(ohms))") }
                lines.append("RS\(p) b\(n - 1)_\(p) s\(p) \(r(ohms))")
                lines.append("VS\(p) s\(p) 0 DC 0")
            }
            lines.append(".control")
            lines.append("op")
            // Short print lines: one current each, as "i(vsN) = value".
            for p in 0..<n { lines.append("print i(vs\(p))") }
            // Interactive mode, quitting with status 0: batch mode (-b) exits 1 on a netlist without .print lines.
            lines.append("quit 0")
            lines.append(".endc")
            lines.append(".end")
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// The sense currents ngspice computes, by column.
    static func spiceColumnCurrents(_ crossbar: Crossbar) throws -> [Double] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cimfw-spice-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let netlist = folder.appendingPathComponent("crossbar.cir")
        try crossbar.netlist.write(to: netlist, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Ngspice.path))
        process.arguments = ["-n", netlist.path]
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "ngspice exited \(process.terminationStatus)")
        var currents = [Double?](repeating: nil, count: crossbar.size)
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0].hasPrefix("i(vs"), parts[0].hasSuffix(")"),
                  let column = Int(parts[0].dropFirst(4).dropLast()), (0..<crossbar.size).contains(column),
                  let value = Double(parts[1]) else { continue }
            currents[column] = value
        }
        return try currents.map { try #require($0, "ngspice printed no current for a column") }
    }

    /// 32×32, 128×128 (and 256×256) at two wire resistances, every column
    /// current within 1% of ngspice's (which prints seven digits). The two
    /// resistances lie above the presets' (0.007–0.05 Ω), where the wires
    /// take a visible share of the current.
    @Test(arguments: Ngspice.cases)
    func theExactSolveMatchesNgspice(size: Int, ohms: Double) throws {
        let crossbar = Crossbar(size: size, ohms: ohms, seed: UInt64(size) * 10 + (ohms < 0.5 ? 1 : 2))
        let spice = try Self.spiceColumnCurrents(crossbar)
        let network = ResistiveNetwork(rows: size, physicalColumns: size, wireOhmsPerSegment: ohms, conductances: crossbar.conductances)
        let solution = network.solve(rowVolts: crossbar.rowVolts, maxSweeps: 20_000)
        #expect(solution.converged, "\(solution.sweeps) sweeps")
        var worst = 0.0, drop = 0.0
        for p in 0..<size {
            // ngspice's source current runs from + to −: into the sense node, as the solve's does.
            let reference = abs(spice[p])
            worst = max(worst, abs(solution.columnCurrentsAmps[p] - reference) / reference)
            var ideal = 0.0
            for i in 0..<size { ideal += crossbar.rowVolts[i] * crossbar.conductances[i * size + p] }
            drop = max(drop, 1 - reference / ideal)
        }
        print("IR drop anchor \(size)x\(size) at \(ohms) Ω/segment: worst column deviation from ngspice \(worst * 100)%, largest drop \(drop * 100)% of the ideal current, \(solution.sweeps) sweeps")
        #expect(worst <= 0.01, "ResistiveNetwork is \(worst * 100)% from ngspice")
        #expect(drop > 1e-4, "the wires must matter, or the comparison says nothing")
    }
}
