/// The INA226/INA260/INA3221 configuration code tables (SBOS547 Tables 7-3
/// to 7-6), kept apart from CIMDrivers on purpose: the model is a second,
/// independent reading of the datasheet that the driver is tested against.
enum INACodes {
    static let averagingCounts = [1, 4, 16, 64, 128, 256, 512, 1024]
    static let conversionMicroseconds = [140, 204, 332, 588, 1100, 2116, 4156, 8244]

    static func averaging(_ config: UInt16) -> Int { averagingCounts[Int((config >> 9) & 7)] }
    static func busSeconds(_ config: UInt16) -> Double { Double(conversionMicroseconds[Int((config >> 6) & 7)]) * 1e-6 }
    static func shuntSeconds(_ config: UInt16) -> Double { Double(conversionMicroseconds[Int((config >> 3) & 7)]) * 1e-6 }
    static func mode(_ config: UInt16) -> UInt16 { config & 7 }
    static func measuresShunt(_ mode: UInt16) -> Bool { mode & 1 != 0 }
    static func measuresBus(_ mode: UInt16) -> Bool { mode & 2 != 0 }
    static func continuous(_ mode: UInt16) -> Bool { mode & 4 != 0 && mode != 4 }
    static func poweredDown(_ mode: UInt16) -> Bool { mode == 0 || mode == 4 }
}
