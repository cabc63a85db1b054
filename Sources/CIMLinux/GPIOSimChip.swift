#if canImport(Glibc)
import CIMHAL
import Glibc

/// A simulated GPIO chip made with the kernel's gpio-sim (configfs), the
/// far side of its lines driven and read through sysfs: how `cimfw emulate`
/// plays the eval board's end of RESET, READY and the inference marker while
/// the firmware holds the near side through the GPIO character device.
///
/// Documentation/admin-guide/gpio/gpio-sim.rst: writing `pull-up` or
/// `pull-down` to `sim_gpioN/pull` sets what an input line reads (and
/// raises its edge events); `sim_gpioN/value` reads what an output is driven to.
public final class GPIOSimChip {
    /// The chip's label (what board files name in `gpio.chip`).
    public let label: String
    /// "gpiochipN" under /dev.
    public let chipName: String
    private let configDirectory: String
    private let sysfsDirectory: String
    private let offsets: [String: Int]
    private var live = true
    /// Open attribute files, by path: an emulator reads them per transfer.
    private var descriptors: [String: Int32] = [:]

    public static let configfsRoot = "/sys/kernel/config/gpio-sim"

    /// Creates and enables a chip of `lineCount` lines labelled `label`,
    /// naming line `offset` as given.
    public init(name: String, label: String, lineCount: Int, lines: [String: Int]) throws(HALError) {
        guard access(Self.configfsRoot, F_OK) == 0 else {
            throw .unsupported("\(Self.configfsRoot) is missing: load gpio-sim (modprobe gpio-sim) and mount configfs on /sys/kernel/config")
        }
        for (line, offset) in lines where !(0..<lineCount).contains(offset) {
            throw .invalidArgument("gpio-sim line \(line) at offset \(offset) is outside 0..<\(lineCount)")
        }
        let device = "\(Self.configfsRoot)/\(name)"
        guard mkdir(device, 0o755) == 0 else { throw .io(errno: errno, operation: "mkdir \(device) (a gpio-sim device of that name may exist)") }
        configDirectory = device
        offsets = lines
        self.label = label
        do throws(HALError) {
            try Self.mkdirOrThrow(device + "/bank0")
            try Self.write("\(lineCount)", to: device + "/bank0/num_lines")
            try Self.write(label, to: device + "/bank0/label")
            for (line, offset) in lines {
                try Self.mkdirOrThrow(device + "/bank0/line\(offset)")
                try Self.write(line, to: device + "/bank0/line\(offset)/name")
            }
            try Self.write("1", to: device + "/live")
            let deviceName = try Self.read(device + "/dev_name")
            chipName = try Self.read(device + "/bank0/chip_name")
            sysfsDirectory = "/sys/devices/platform/\(deviceName)/\(chipName)"
        } catch {
            Self.remove(device, lines: Array(lines.values))
            throw error
        }
    }

    deinit { tearDown() }

    /// Disables the chip and removes its configfs entries.
    public func tearDown() {
        guard live else { return }
        live = false
        for fd in descriptors.values { close(fd) }
        descriptors.removeAll()
        Self.remove(configDirectory, lines: Array(offsets.values))
    }

    /// Sets what the input line `name` reads, as an external driver would.
    public func drive(_ name: String, to level: GPIOLevel) throws(HALError) {
        let path = try attribute(name, "pull")
        let fd = try descriptor(path, O_WRONLY)
        let text: StaticString = level == .high ? "pull-up" : "pull-down"
        let n = pwrite(fd, text.utf8Start, text.utf8CodeUnitCount, 0)
        guard n == text.utf8CodeUnitCount else { throw .io(errno: n < 0 ? errno : LinuxI2CErrno.eio, operation: "write \(text) to \(path)") }
    }

    /// What the host drives the output line `name` to (or an input's level).
    public func level(of name: String) throws(HALError) -> GPIOLevel {
        let path = try attribute(name, "value")
        let fd = try descriptor(path, O_RDONLY)
        var byte: UInt8 = 0
        let n = pread(fd, &byte, 1, 0)
        guard n == 1 else { throw .io(errno: n < 0 ? errno : LinuxI2CErrno.eio, operation: "read \(path)") }
        return byte == UInt8(ascii: "1") ? .high : .low
    }

    private func descriptor(_ path: String, _ mode: Int32) throws(HALError) -> Int32 {
        if let fd = descriptors[path] { return fd }
        let fd = open(path, mode | O_CLOEXEC)
        guard fd >= 0 else { throw .io(errno: errno, operation: "open \(path)") }
        descriptors[path] = fd
        return fd
    }

    private func attribute(_ name: String, _ attribute: String) throws(HALError) -> String {
        guard let offset = offsets[name] else { throw .invalidArgument("gpio-sim chip \(label) has no line named \(name)") }
        return "\(sysfsDirectory)/sim_gpio\(offset)/\(attribute)"
    }

    private static func remove(_ device: String, lines: [Int]) {
        _ = try? write("0", to: device + "/live")
        for offset in lines { rmdir(device + "/bank0/line\(offset)") }
        rmdir(device + "/bank0")
        rmdir(device)
    }

    private static func mkdirOrThrow(_ path: String) throws(HALError) {
        guard mkdir(path, 0o755) == 0 else { throw .io(errno: errno, operation: "mkdir \(path)") }
    }

    static func write(_ text: String, to path: String) throws(HALError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(errno: errno, operation: "open \(path) for writing") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw .io(errno: n < 0 ? errno : LinuxI2CErrno.eio, operation: "write \"\(text)\" to \(path)") }
    }

    static func read(_ path: String) throws(HALError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(errno: errno, operation: "open \(path)") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n >= 0 else { throw .io(errno: errno, operation: "read \(path)") }
        var text = buffer[0..<n]
        while let last = text.last, last == 0x0A || last == 0x20 { text = text.dropLast() }
        return String(decoding: text, as: UTF8.self)
    }
}
#endif
