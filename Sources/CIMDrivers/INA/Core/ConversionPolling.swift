import CIMHAL

/// Polls `ready` about ten times per conversion period and gives up after
/// twice the period plus 1 ms: the INA clocks are only accurate to a few
/// percent, and a flag that never comes must not hang a sampling loop.
/// `delay` is the driver's injected wait (sleep on hardware, virtual time in emulation).
func pollUntilReady(periodSeconds: Double, delay: (Double) -> Void, operation: String,
                    _ ready: () throws(HALError) -> Bool) throws(HALError) {
    let step = max(periodSeconds / 10, 1e-4)
    let limit = 2 * periodSeconds + 1e-3
    var waited = 0.0
    while true {
        if try ready() { return }
        guard waited < limit else { throw .timeout(operation: operation, limitSeconds: limit) }
        delay(step)
        waited += step
    }
}

/// A value in counts of `lsb`, rounded, as a two's-complement register word.
func signedCounts(_ value: Double, lsb: Double, what: String) throws(HALError) -> UInt16 {
    let counts = (value / lsb).rounded()
    guard counts.isFinite, counts >= -32768, counts <= 32767 else {
        throw .invalidArgument("\(what) \(value) is outside the register range ±\(32767 * lsb)")
    }
    return UInt16(bitPattern: Int16(counts))
}

/// A non-negative value in counts of `lsb`, rounded, at most `maximum`.
func unsignedCounts(_ value: Double, lsb: Double, maximum: UInt16, what: String) throws(HALError) -> UInt16 {
    let counts = (value / lsb).rounded()
    guard counts.isFinite, counts >= 0, counts <= Double(maximum) else {
        throw .invalidArgument("\(what) \(value) is outside the register range 0...\(Double(maximum) * lsb)")
    }
    return UInt16(counts)
}
