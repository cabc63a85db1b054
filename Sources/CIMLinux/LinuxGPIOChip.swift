#if canImport(Glibc)
import CIMHAL
import CLinuxShim

/// A GPIO chip through libgpiod (API v1 or v2, loaded at run time; CLinuxShim hides which).
///
/// Lines are addressed by chip and line name or offset, never by global
/// GPIO number: those moved to 512+ on Raspberry Pi kernel 6.6, and sysfs
/// GPIO is gone there.
public final class LinuxGPIOChip {
    /// How the chip was asked for (a path, "gpiochipN", or a label), for messages.
    public let identifier: String
    /// The chip's label as the kernel reports it, e.g. "pinctrl-bcm2711".
    public let label: String
    public let lineCount: Int

    let handle: OpaquePointer

    /// The libgpiod API loaded (1 or 2), or nil when no libgpiod could be
    /// loaded. libgpiod is loaded on first use, libgpiod.so.3 (2.x) in
    /// preference to libgpiod.so.2 (1.x), or the library $CIMFW_LIBGPIOD names.
    public static var libgpiodAPIVersion: Int? {
        let version = cimfw_gpiod_api_version()
        return version > 0 ? Int(version) : nil
    }

    /// The libgpiod library loaded (a soname or path), or the loader's
    /// reasons when none could be.
    public static var libgpiodLibrary: String { String(cString: cimfw_gpiod_library()) }

    /// Opens a chip given as a path ("/dev/gpiochip0", or a symlink to one),
    /// a device name ("gpiochip0"), or otherwise a label ("pinctrl-rp1").
    public convenience init(_ chip: String) throws(HALError) {
        if chip.hasPrefix("/") {
            try self.init(path: chip)
        } else if Self.isDeviceName(chip) {
            try self.init(path: "/dev/" + chip)
        } else {
            try self.init(label: chip)
        }
    }

    /// Opens the chip device at `path`.
    public init(path: String) throws(HALError) {
        guard !path.isEmpty else { throw .invalidArgument("GPIO chip path is empty") }
        var opened: OpaquePointer?
        let result = cimfw_gpio_chip_open(path, &opened)
        guard result == 0, let opened else { throw LinuxGPIOErrno.openError(-result, chip: path) }
        let info = try Self.describe(opened, identifier: path)
        identifier = path
        handle = opened
        label = info.label
        lineCount = info.lineCount
    }

    /// Opens the first /dev/gpiochip* whose label is `label`.
    public init(label: String) throws(HALError) {
        guard !label.isEmpty else { throw .invalidArgument("GPIO chip label is empty") }
        var opened: OpaquePointer?
        let result = cimfw_gpio_chip_open_by_label(label, &opened)
        guard result == 0, let opened else {
            throw LinuxGPIOErrno.openError(-result, chip: "labelled \"\(label)\" (searched /dev/gpiochip*)")
        }
        let info = try Self.describe(opened, identifier: label)
        identifier = label
        handle = opened
        self.label = info.label
        lineCount = info.lineCount
    }

    deinit {
        // Lines hold a reference to their chip, so none is still requested:
        // libgpiod v1 would release them here otherwise.
        cimfw_gpio_chip_close(handle)
    }

    /// The offset of the first line named `name` on this chip.
    public func offset(ofLineNamed name: String) throws(HALError) -> UInt32 {
        guard !name.isEmpty else { throw .invalidArgument("GPIO line name is empty") }
        let result = cimfw_gpio_chip_find_line(handle, name)
        guard result >= 0 else {
            if -result == LinuxI2CErrno.enoent {
                throw .invalidArgument("no line named \"\(name)\" on GPIO chip \(identifier) (`gpioinfo` lists line names)")
            }
            throw LinuxGPIOErrno.error(-result, operation: "find line \"\(name)\" on GPIO chip \(identifier)")
        }
        return UInt32(result)
    }

    /// The offset `line` names on this chip, checked against the line count.
    func offset(of line: LinuxGPIOLineID) throws(HALError) -> UInt32 {
        switch line {
        case let .name(name):
            return try offset(ofLineNamed: name)
        case let .offset(offset):
            guard Int(offset) < lineCount else {
                throw .invalidArgument("GPIO line offset \(offset) is outside chip \(identifier), which has lines 0..<\(lineCount)")
            }
            return offset
        }
    }

    /// Requests `line` as a push-pull output, driven to `initial` at once.
    public func requestOutput(_ line: LinuxGPIOLineID, initial: GPIOLevel,
                              consumer: String = "cimfw") throws(HALError) -> LinuxGPIOOutputLine {
        try LinuxGPIOOutputLine(chip: self, offset: offset(of: line), line: line, initial: initial, consumer: consumer)
    }

    /// Requests `line` as an input reporting rising and falling edges.
    public func requestEdgeInput(_ line: LinuxGPIOLineID,
                                 consumer: String = "cimfw") throws(HALError) -> LinuxGPIOInputLine {
        try LinuxGPIOInputLine(chip: self, offset: offset(of: line), line: line, consumer: consumer)
    }

    /// "gpiochip0", "gpiochip12": names udev gives chip devices under /dev.
    static func isDeviceName(_ name: String) -> Bool {
        let prefix = "gpiochip"
        guard name.hasPrefix(prefix) else { return false }
        let number = name.dropFirst(prefix.count)
        return !number.isEmpty && number.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func describe(_ chip: OpaquePointer, identifier: String) throws(HALError) -> (label: String, lineCount: Int) {
        var buffer = [CChar](repeating: 0, count: 256)
        let result = cimfw_gpio_chip_label(chip, &buffer, buffer.count)
        let count = cimfw_gpio_chip_num_lines(chip)
        guard result == 0, count >= 0 else {
            cimfw_gpio_chip_close(chip)
            let failed = result != 0 ? result : count
            throw LinuxGPIOErrno.error(-failed, operation: "read chip info of \(identifier)")
        }
        let label = buffer.withUnsafeBufferPointer { pointer in
            pointer.baseAddress.map { String(cString: $0) } ?? ""
        }
        return (label, Int(count))
    }
}

/// A line on a chip, by the name the device tree gives it or by offset.
public enum LinuxGPIOLineID: Sendable, Hashable, CustomStringConvertible {
    case name(String)
    case offset(UInt32)

    /// A line by name; the name must not be empty.
    public static func named(_ name: String) throws(HALError) -> Self {
        guard !name.isEmpty else { throw .invalidArgument("GPIO line name is empty") }
        return .name(name)
    }

    public var description: String {
        switch self {
        case let .name(name): "line \"\(name)\""
        case let .offset(offset): "line \(offset)"
        }
    }
}
#endif
