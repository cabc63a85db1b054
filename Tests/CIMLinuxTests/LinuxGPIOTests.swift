import Foundation
#if canImport(Glibc)
import CIMHAL
import CLinuxShim
import Glibc
import Testing
@testable import CIMLinux

/// What can be checked without a GPIO chip: the libgpiod loaded at run
/// time, set-up errors naming the chip, and argument checks.
@Suite struct LinuxGPIOTests {
    /// libgpiod.so.3 (2.x) is preferred to libgpiod.so.2 (1.x); the API
    /// version follows from the library actually loaded, found where the
    /// dynamic loader finds it.
    @Test func theShimLoadsTheNewestInstalledLibgpiod() throws {
        let chosen = ProcessInfo.processInfo.environment["CIMFW_LIBGPIOD"] ?? ""
        let version = LinuxGPIOChip.libgpiodAPIVersion
        let library = LinuxGPIOChip.libgpiodLibrary
        #expect(cimfw_gpiod_api_version() == Int32(version ?? -79))
        if !chosen.isEmpty {
            #expect(library == chosen || version == nil, "\(library)")
            return
        }
        let loadable = { (name: String) -> Bool in
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { return false }
            dlclose(handle)
            return true
        }
        if loadable("libgpiod.so.3") {
            #expect(version == 2 && library == "libgpiod.so.3", "\(library)")
        } else if loadable("libgpiod.so.2") {
            #expect(version == 1 && library == "libgpiod.so.2", "\(library)")
        } else {
            #expect(version == nil && library.contains("libgpiod.so.3") && library.contains("libgpiod.so.2"), "\(library)")
        }
    }

    @Test(arguments: ["/dev/gpiochip250", "gpiochip250"])
    func aMissingChipNamesItsPath(chip: String) {
        do {
            _ = try LinuxGPIOChip(chip)
            Issue.record("/dev/gpiochip250 should not exist")
        } catch let error {
            guard case let .io(errno, operation) = error else {
                Issue.record("expected .io(ENOENT), got \(error)"); return
            }
            #expect(errno == LinuxI2CErrno.enoent)
            #expect(operation.contains("/dev/gpiochip250"), "names the path: \(operation)")
            #expect(operation.contains("gpiodetect"), "says how to list chips: \(operation)")
        }
    }

    @Test func aMissingLabelIsNamed() {
        #expect {
            _ = try LinuxGPIOChip(label: "cimfw-no-such-label")
        } throws: { error in
            (error as? HALError)?.description.contains("cimfw-no-such-label") == true
        }
    }

    @Test func aFileThatIsNotAChipIsRefusedByName() {
        #expect {
            _ = try LinuxGPIOChip(path: "/dev/null")
        } throws: { error in
            (error as? HALError)?.description.contains("/dev/null") == true
        }
    }

    @Test func chipArgumentsAreClassified() {
        #expect(LinuxGPIOChip.isDeviceName("gpiochip0"))
        #expect(LinuxGPIOChip.isDeviceName("gpiochip12"))
        #expect(!LinuxGPIOChip.isDeviceName("gpiochip"))
        #expect(!LinuxGPIOChip.isDeviceName("gpiochip0a"))
        #expect(!LinuxGPIOChip.isDeviceName("pinctrl-bcm2711"))
        #expect(throws: HALError.invalidArgument("GPIO chip path is empty")) { _ = try LinuxGPIOChip(path: "") }
        #expect(throws: HALError.invalidArgument("GPIO chip label is empty")) { _ = try LinuxGPIOChip(label: "") }
    }

    @Test func anEmptyLineNameIsRejected() throws {
        #expect(throws: HALError.invalidArgument("GPIO line name is empty")) { _ = try LinuxGPIOLineID.named("") }
        #expect(try LinuxGPIOLineID.named("CIM_READY") == .name("CIM_READY"))
    }

    @Test(arguments: [-1.0, -.ulpOfOne, .nan, .infinity, -.infinity])
    func badTimeoutsAreRejected(seconds: Double) {
        #expect {
            _ = try LinuxGPIOInputLine.nanoseconds(seconds)
        } throws: { error in
            guard case .invalidArgument? = error as? HALError else { return false }
            return true
        }
    }

    @Test func timeoutsBecomeNanoseconds() throws {
        #expect(try LinuxGPIOInputLine.nanoseconds(0) == 0)
        #expect(try LinuxGPIOInputLine.nanoseconds(0.25) == 250_000_000)
        #expect(try LinuxGPIOInputLine.nanoseconds(1e-10) == 1, "a tiny limit still waits, rounded up")
        #expect(try LinuxGPIOInputLine.nanoseconds(1e300) == Int64.max, "clamped, not trapped")
    }

    @Test func theShimChecksItsArguments() {
        #expect(cimfw_gpio_wait_edge(nil, 0) == -EINVAL)
        #expect(cimfw_gpio_get_value(nil) == -EINVAL)
        #expect(cimfw_gpio_chip_find_line(nil, "X") == -EINVAL)
    }

    // Gated on the chip's own variable, not CIMFW_HIL_BOARD: a HIL run on an
    // emulated board has no GPIO character device to open.
    @Test(.enabled(if: getenv("CIMFW_HIL_GPIO_CHIP") != nil,
                   "needs a real GPIO chip: set CIMFW_HIL_GPIO_CHIP to its name (gpiochip0)"))
    func aRealChipOpensAndDescribesItself() throws {
        let name = getenv("CIMFW_HIL_GPIO_CHIP").map { String(cString: $0) } ?? ""
        let chip = try LinuxGPIOChip(name)
        #expect(chip.lineCount > 0, "\(name) (\(chip.label)) has lines")
        // Reopening by label finds a chip with the same label.
        #expect(try LinuxGPIOChip(label: chip.label).label == chip.label)
    }
}
#endif
