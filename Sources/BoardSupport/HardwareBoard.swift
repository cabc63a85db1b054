import CIMHAL

/// Opens a hardware board file: the eval-board driver and the power-monitor
/// drivers on an emulated bus (backend "emulated") or on /dev (backend "linux").
enum HardwareBoard {
    static func open(_ c: HardwareBoardConfiguration) throws(HALError) -> Board {
        throw .unsupported("opening \(c.backend.rawValue) board \(c.name): the eval-board and power-monitor drivers are not wired into BoardSupport yet")
    }
}
