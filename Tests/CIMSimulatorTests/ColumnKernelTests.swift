import CIMHAL
import Testing
@testable import CIMSimulator

/// The AVX kernel is a speed-up, never a change of result: a seed gives the
/// same codes whichever kernel the machine picks.
@Suite struct ColumnKernelTests {
    /// Every effect on, odd sizes (a partial 8-row block, columns not a
    /// multiple of 8, the reference column), and inputs that leave whole
    /// row blocks at zero so the block skipping is exercised.
    func codes(kernel: ColumnKernel, rows: Int, columns: Int) throws -> [Int32] {
        var c = SimulatorConfiguration.ideal(rows: rows, columns: columns, seed: 5)
        for effect in Effect.allCases { c.set(effect, enabled: true) }
        c.programming.variabilityRelative = 0.1
        c.readNoise.sigmaRelative = 0.02
        let a = try SimulatedAccelerator(configuration: c)
        a.kernel = kernel
        _ = try a.program(tile: 0, weights: try Fixture.weights(rows: rows, columns: columns), policy: WriteVerifyPolicy(toleranceRelative: 0.02, maxPulses: 8))
        _ = try a.calibrate(tile: 0, method: .referenceInputs(count: 8))
        var all: [Int32] = []
        var out = [Int32](repeating: 0, count: columns)
        for v in 0..<12 {
            let x = (0..<rows).map { r -> Int32 in (r / 8) % 3 == v % 3 ? 0 : Int32((r * 37 + v * 11) % 255) - 127 }
            try a.multiply(tile: 0, inputCodes: x, into: &out)
            all += out
        }
        return all
    }

    @Test(.enabled(if: ColumnKernel.avx.isAvailable, "this CPU has no AVX"),
          arguments: [(64, 32), (61, 29), (160, 256), (9, 3)])
    func avxGivesTheSameBitsAsThePortableKernel(rows: Int, columns: Int) throws {
        #expect(try codes(kernel: .avx, rows: rows, columns: columns) == codes(kernel: .portable, rows: rows, columns: columns))
    }

    @Test(.enabled(if: ColumnKernel.avx512.isAvailable, "this CPU has no AVX-512"),
          arguments: [(64, 32), (61, 29), (160, 256), (9, 3), (256, 256)])
    func avx512GivesTheSameBitsAsThePortableKernel(rows: Int, columns: Int) throws {
        #expect(try codes(kernel: .avx512, rows: rows, columns: columns) == codes(kernel: .portable, rows: rows, columns: columns))
    }

}
