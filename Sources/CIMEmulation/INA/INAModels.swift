import CIMHAL

/// The register models the emulated bus can put behind an address, by part
/// number: the emulation side of the driver registry (`INAChips`). A new
/// chip adds its model file here and one line below.
public enum INAModels {
    /// A rail's bus volts and current at a moment, by channel (1-based).
    public typealias ChannelTrace = (_ channel: Int, _ seconds: Double) -> (busVolts: Double, currentAmps: Double)

    /// The model of `partNumber`, with one shunt per channel.
    public static func model(partNumber: String, clock: VirtualClock, shuntOhms: [Double],
                             trace: @escaping ChannelTrace) throws(HALError) -> INARegisterModel {
        let first = shuntOhms.first ?? 0
        let single: PowerTrace = { seconds in trace(1, seconds) }
        switch partNumber {
        case "INA219": return INA219Model(clock: clock, shuntOhms: first, trace: single)
        case "INA226": return INA226Model(clock: clock, shuntOhms: first, trace: single)
        case "INA260": return INA260Model(clock: clock, trace: single)
        case "INA228": return INA228Model(clock: clock, shuntOhms: first, trace: single)
        case "INA3221":
            guard shuntOhms.count == 3 else { throw .invalidArgument("an INA3221 model needs three shunts, not \(shuntOhms.count)") }
            return INA3221Model(clock: clock, shuntOhms: shuntOhms, trace: trace)
        default:
            throw .unsupported("no register model of the \(partNumber) to emulate")
        }
    }
}
