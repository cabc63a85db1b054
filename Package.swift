// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "cimfw",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cimfw", targets: ["cimfw"]),
        .library(name: "CIMHAL", targets: ["CIMHAL"]),
        .library(name: "CIMSimulator", targets: ["CIMSimulator"]),
        .library(name: "BoardSupport", targets: ["BoardSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        .target(name: "CIMHAL"),
        .target(name: "CIMSimulator", dependencies: [
            "CIMHAL",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "BoardSupport", dependencies: [
            "CIMHAL", "CIMSimulator",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .executableTarget(name: "cimfw", dependencies: [
            "BoardSupport", "CIMSimulator", "CIMHAL",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "CIMHALTests", dependencies: ["CIMHAL"]),
        .testTarget(name: "CIMSimulatorTests", dependencies: ["CIMSimulator", "CIMHAL"]),
        .testTarget(name: "BoardSupportTests", dependencies: ["BoardSupport", "CIMSimulator", "CIMHAL"]),
        // Runs the built `cimfw` executable as a user would.
        .testTarget(name: "cimfwTests", dependencies: ["cimfw"]),
    ],
    swiftLanguageModes: [.v6]
)
