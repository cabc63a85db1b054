import RealModule

/// xoshiro256** (Blackman & Vigna, 2018), seeded through SplitMix64 as its
/// authors recommend. Every random draw in the simulator comes from one of
/// these, so one seed reproduces a run bit for bit on every platform.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// An independent stream for one effect, so that switching one effect off
    /// does not change the draws of another.
    public init(seed: UInt64, stream: RandomStream) {
        self.init(seed: seed ^ (stream.rawValue &* 0xD1B5_4A32_D192_ED03))
    }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @usableFromInline
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 53 bits.
    @inlinable
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [−1, 1).
    @inlinable
    public mutating func nextSignedUnit() -> Double { 2 * nextUnitDouble() - 1 }

    /// A standard normal draw (Box–Muller; exact, for set-up work).
    public mutating func nextGaussian() -> Double {
        var u = nextUnitDouble()
        while u <= .leastNonzeroMagnitude { u = nextUnitDouble() }
        let v = nextUnitDouble()
        return (-2 * Double.log(u)).squareRoot() * Double.cos(2 * Double.pi * v)
    }

    /// An approximately standard normal draw for the per-MVM hot path: the
    /// sum of the 8 bytes of one 64-bit word (Irwin–Hall with 8 uniforms),
    /// centred and scaled to unit variance. Steps of 0.005σ, tails ending at
    /// ±4.9σ — ample for read noise, and many times cheaper than Box–Muller's
    /// log and cosine.
    @inlinable
    public mutating func nextFastGaussian() -> Float { Self.fastGaussian(fromWord: next()) }

    /// `nextFastGaussian` of a word already drawn: a loop can draw its
    /// words first (the generator is one serial chain) and then turn them
    /// into normals several at a time.
    @inlinable
    public static func fastGaussian(fromWord w: UInt64) -> Float {
        // Pairwise byte sums without a loop: 4 lanes of 16 bits, then fold.
        let pairs = (w & 0x00FF_00FF_00FF_00FF) &+ ((w >> 8) & 0x00FF_00FF_00FF_00FF)
        let quads = (pairs & 0x0000_FFFF_0000_FFFF) &+ ((pairs >> 16) & 0x0000_FFFF_0000_FFFF)
        let sum = (quads & 0xFFFF_FFFF) &+ (quads >> 32)
        // Each byte is uniform on 0...255: mean 127.5, variance (256² − 1)/12.
        // Eight of them: mean 1020, σ = √(8 · 65535 / 12) = 209.02.
        return (Float(sum) - 1020) * (1 / 209.021_53)
    }
}

/// One independent random stream per effect.
public enum RandomStream: UInt64, Sendable {
    case programming = 1
    case stuckFaults = 2
    case drift = 3
    case temperature = 4
    case readNoise = 5
    case adcMismatch = 6
    case calibration = 7
    case workload = 8
}

