import CIMHAL
import Testing
@testable import CIMDrivers

/// INA226 datasheet checks that assume nothing about the load: each takes a
/// bus, so the same functions run on the emulated bus here and on a board
/// (see `HardwareInLoop`). Values are SBOS547 Table 7-1 and §7.6.
enum INA226Checks {
    /// ID registers, read MSB first: 0x5449 ("TI"), not the SMBus-word 0x4954.
    static func identity<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        let bytes = try bus.writeRead([INA226Register.manufacturerID.rawValue], readCount: 2, at: address)
        #expect(bytes == [0x54, 0x49], "'T' then 'I' on the wire")
        let littleEndian = UInt16(bytes[1]) << 8 | UInt16(bytes[0])
        #expect(littleEndian == 0x4954, "what an SMBus read-word would return")
        #expect(try bus.readRegister16(0xFE, at: address) == 0x5449)
        // DID 0x226 in bits 15:4; bits 3:0 are the die revision, which varies (§7.6.10).
        #expect(try bus.readRegister16(0xFF, at: address) >> 4 == 0x226)
    }

    /// RST restores the POR values: config 0x4127, CAL and the alert registers 0.
    static func resetRestoresPowerOnValues<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        try bus.writeRegister16(0x00, 0x0FFF, at: address)
        try bus.writeRegister16(0x05, 0x1234, at: address)
        try bus.writeRegister16(0x07, 0x4321, at: address)
        try bus.writeRegister16(0x00, 0x8000, at: address)
        #expect(try bus.readRegister16(0x00, at: address) == 0x4127)
        #expect(try bus.readRegister16(0x05, at: address) == 0)
        #expect(try bus.readRegister16(0x07, at: address) == 0)
        #expect(try bus.readRegister16(0x06, at: address) & 0xFC03 == 0, "no alert function, pin bits clear")
    }

    /// Every AVG / VBUSCT / VSHCT / MODE code lands in its field, and bits 14:12
    /// keep reading 100b whatever is written.
    static func configurationFields<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        for averaging in INAAveraging.allCases {
            for time in INAConversionTime.allCases {
                let config = INA226Configuration(railName: "t", shuntMicroOhms: 2000, maxExpectedCurrentAmps: 10,
                                                 averaging: averaging, busConversionTime: time,
                                                 shuntConversionTime: INAConversionTime(rawValue: 7 - time.rawValue) ?? .us140,
                                                 mode: INAOperatingMode(rawValue: time.rawValue) ?? .powerDown)
                try bus.writeRegister16(0x00, config.configurationWord, at: address)
                let back = try bus.readRegister16(0x00, at: address)
                #expect(back == config.configurationWord)
                #expect(INAConfigurationField.averaging.get(back) == averaging.rawValue)
                #expect(INAConfigurationField.busConversionTime.get(back) == time.rawValue)
                #expect(INAConfigurationField.shuntConversionTime.get(back) == 7 - time.rawValue)
                #expect(INAConfigurationField.mode.get(back) == time.rawValue)
            }
        }
        try bus.writeRegister16(0x00, 0x0127, at: address)
        #expect(try bus.readRegister16(0x00, at: address) == 0x4127, "reserved bits 14:12 are fixed")
        try bus.writeRegister16(0x00, 0x8000, at: address)
    }

    /// CAL is FS14:FS0; bit 15 is reserved (RobTillaart/INA226#47).
    static func calibrationIsFifteenBits<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        try bus.writeRegister16(0x05, 0xFFFF, at: address)
        #expect(try bus.readRegister16(0x05, at: address) == 0x7FFF)
        try bus.writeRegister16(0x05, 0x0A00, at: address)
        #expect(try bus.readRegister16(0x05, at: address) == 0x0A00)
    }

    /// IDs and measurement registers belong to the chip.
    static func readOnlyRegistersIgnoreWrites<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        for pointer: UInt8 in [0xFE, 0xFF] {
            let before = try bus.readRegister16(pointer, at: address)
            try bus.writeRegister16(pointer, 0xA5A5, at: address)
            #expect(try bus.readRegister16(pointer, at: address) == before)
        }
        try bus.writeRegister16(0x00, 0x4000, at: address)  // power-down: measurements stay put
        let shunt = try bus.readRegister16(0x01, at: address)
        try bus.writeRegister16(0x01, shunt ^ 0x00FF, at: address)
        #expect(try bus.readRegister16(0x01, at: address) == shunt)
        try bus.writeRegister16(0x00, 0x8000, at: address)
    }

    /// The pointer stays where the last write left it (SBOS547 §7.5.3): plain
    /// two-byte reads return the same register again. SMBus has no bare
    /// two-byte read, so on an SMBus-only adapter each "receive byte" reads
    /// the register's first (most significant) byte again.
    static func pointerIsRetained<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress) throws {
        _ = try bus.readRegister16(0xFE, at: address)
        let expected: [UInt8] = bus.transfers.smbusOnly ? [0x54] : [0x54, 0x49]
        #expect(try bus.read(count: expected.count, from: address) == expected)
        #expect(try bus.read(count: expected.count, from: address) == expected)
    }

    /// CVRF stays clear until AVG × (VSHCT + VBUSCT) after a configuration
    /// write, is set then, and clears when Mask/Enable is read.
    static func conversionReadyTiming<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress,
                                                   delay: (Double) -> Void) throws {
        // AVG 16, 140 µs + 140 µs, continuous: 4.48 ms.
        let config = INA226Configuration(railName: "t", shuntMicroOhms: 2000, maxExpectedCurrentAmps: 10,
                                         averaging: .samples16, busConversionTime: .us140, shuntConversionTime: .us140)
        #expect(abs(config.conversionPeriodSeconds - 4.48e-3) < 1e-12)
        _ = try bus.readRegister16(0x06, at: address)
        try bus.writeRegister16(0x00, config.configurationWord, at: address)
        delay(4.0e-3)
        #expect(try bus.readRegister16(0x06, at: address) & 0x0008 == 0, "no CVRF before CT × AVG")
        delay(0.6e-3)
        #expect(try bus.readRegister16(0x06, at: address) & 0x0008 != 0, "CVRF after CT × AVG")
        #expect(try bus.readRegister16(0x06, at: address) & 0x0008 == 0, "reading Mask/Enable cleared it")
        try bus.writeRegister16(0x00, 0x8000, at: address)
    }

    static func all<Bus: I2CBus>(_ bus: inout Bus, at address: I2CAddress, delay: (Double) -> Void) throws {
        try identity(&bus, at: address)
        try resetRestoresPowerOnValues(&bus, at: address)
        try configurationFields(&bus, at: address)
        try calibrationIsFifteenBits(&bus, at: address)
        try readOnlyRegistersIgnoreWrites(&bus, at: address)
        try pointerIsRetained(&bus, at: address)
        try conversionReadyTiming(&bus, at: address, delay: delay)
    }
}
