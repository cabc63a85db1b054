import CIMHAL

/// A device on the emulated bus, modelled at the register level: it sees
/// the bytes of each leg of a transaction, as the real chip would.
///
/// A model signals a NACK by throwing `HALError.noAcknowledge(.data, …)`
/// from `receive`; the bus itself answers NACK on the address phase when no
/// model (or a vanished one) sits at an address.
public protocol I2CDeviceModel: AnyObject {
    /// The bytes of one write leg, after the address was acknowledged.
    func receive(_ bytes: [UInt8]) throws(HALError)
    /// `count` bytes for one read leg.
    func transmit(count: Int) throws(HALError) -> [UInt8]
}
