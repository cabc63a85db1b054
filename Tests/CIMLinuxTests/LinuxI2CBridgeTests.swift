import CIMHAL
import Testing
@testable import CIMLinux

/// The requests the cimbridge module writes (scripts/hil-qemu/module/cimbridge.c)
/// are read back field by field; a request that does not add up is refused.
@Suite struct LinuxI2CBridgeTests {
    /// header (magic, id, adapter, count, write bytes), message table, write bytes; little-endian.
    func request(id: UInt32 = 7, adapter: UInt16 = 1, messages: [(UInt16, UInt16, [UInt8], Int)]) -> [UInt8] {
        var b: [UInt8] = []
        func u16(_ v: UInt16) { b += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) { u16(UInt16(v & 0xFFFF)); u16(UInt16(v >> 16)) }
        let writes = messages.filter { $0.1 & 1 == 0 }.flatMap(\.2)
        u32(0x4249_4D43); u32(id); u16(adapter); u16(UInt16(messages.count)); u32(UInt32(writes.count))
        for (address, flags, bytes, length) in messages {
            u16(address); u16(flags); u16(UInt16(flags & 1 == 0 ? bytes.count : length)); u16(0)
        }
        return b + writes
    }

    @Test func aRegisterReadIsAWriteLegAndAReadLeg() throws {
        let bytes = request(messages: [(0x40, 0, [0xFE], 0), (0x40, 1, [], 2)])
        let r = try LinuxI2CBridge.parse(bytes[...], path: "/dev/cimbridge")
        #expect(r.id == 7 && r.adapter == 1)
        #expect(r.messages == [.init(address: 0x40, isRead: false, length: 1, bytes: [0xFE]),
                               .init(address: 0x40, isRead: true, length: 2, bytes: [])])
    }

    @Test func aRequestThatDoesNotAddUpIsRefusedNamingTheDevice() throws {
        var bytes = request(messages: [(0x2C, 0, [0x01, 0x02, 0x03], 0)])
        bytes.removeLast()
        #expect(throws: HALError.self) { try LinuxI2CBridge.parse(bytes[...], path: "/dev/cimbridge") }
        var wrongMagic = request(messages: [(0x2C, 0, [0x01], 0)])
        wrongMagic[0] ^= 0xFF
        do { _ = try LinuxI2CBridge.parse(wrongMagic[...], path: "/dev/cimbridge") } catch {
            #expect("\(error)".contains("/dev/cimbridge") && "\(error)".contains("magic"), "\(error)")
        }
        #expect(throws: HALError.self) { try LinuxI2CBridge.parse([0x43, 0x4D][...], path: "/dev/cimbridge") }
    }

    @Test func withoutTheModuleTheBridgeSaysWhatToLoad() {
        do { _ = try LinuxI2CBridge(path: "/nonexistent/cimbridge") } catch {
            #expect("\(error)".contains("cimbridge module"), "\(error)")
        }
    }
}
