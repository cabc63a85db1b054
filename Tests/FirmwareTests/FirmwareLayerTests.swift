import Testing
@testable import Firmware

@Suite struct FirmwareLayerTests {
    @Test func builds() { _ = FirmwareLayer.self }
}
