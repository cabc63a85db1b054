/// Time for emulated devices: advanced explicitly, so a test or a simulated
/// board decides how much time passes between bus transactions.
public final class VirtualClock {
    public private(set) var nowNanoseconds: UInt64

    public init(startNanoseconds: UInt64 = 0) { nowNanoseconds = startNanoseconds }

    public var nowSeconds: Double { Double(nowNanoseconds) * 1e-9 }

    public func advance(nanoseconds: UInt64) { nowNanoseconds &+= nanoseconds }

    public func advance(seconds: Double) { advance(nanoseconds: UInt64(max(0, seconds) * 1e9)) }
}
