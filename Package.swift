// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "cimfw",
    // Linux only (Glibc, i2c-dev, the GPIO character device): no Apple platforms are declared.
    products: [
        .executable(name: "cimfw", targets: ["cimfw"]),
        .library(name: "CIMHAL", targets: ["CIMHAL"]),
        .library(name: "CIMSimulator", targets: ["CIMSimulator"]),
        .library(name: "BoardSupport", targets: ["BoardSupport"]),
        .library(name: "KWS", targets: ["KWS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // SHA-256 of the files a firmware manifest names (boot refuses a mismatch).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // `swift package generate-documentation`: the DocC archives of the library products.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // SMBus PEC's CRC-8 folded 16 bytes at a time by carry-less multiplication
        // on x86-64 CPUs that have it (the same CRC as the table).
        .target(name: "CChecksums", path: "Sources/CChecksums"),
        .target(name: "CIMHAL", dependencies: ["CChecksums"]),
        // The simulator's column kernel in 256-bit AVX, chosen at run time on
        // x86-64 CPUs that have it (same bits as the portable Swift kernel).
        .target(name: "CSimKernels", path: "Sources/CSimKernels"),
        // Vectorisable exp, sigmoid and tanh for the inference hot path.
        .target(name: "CVectorMath", path: "Sources/CVectorMath"),
        .target(name: "CIMSimulator", dependencies: [
            "CIMHAL", "CSimKernels",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        // Register-level device models, an emulated I2C bus with fault injection, virtual GPIO.
        .target(name: "CIMEmulation", dependencies: ["CIMHAL", "CIMSimulator"]),
        // Chip drivers generic over the HAL bus protocols.
        .target(name: "CIMDrivers", dependencies: ["CIMHAL"]),
        // The only code that touches /dev: i2c-dev through libi2c, GPIO through libgpiod,
        // which CLinuxShim loads at run time (libgpiod 2.x, else 1.x: one binary for both).
        .systemLibrary(name: "CLibI2C", path: "Sources/CLibI2C",
                       providers: [.apt(["libi2c-dev"])]),
        // i2c.c includes <i2c/smbus.h> textually, so CLibI2C's `link "i2c"` (applied only
        // when Swift imports the module) never reaches the linker: name the library here.
        .target(name: "CLinuxShim", dependencies: ["CLibI2C"], path: "Sources/CLinuxShim",
                linkerSettings: [.linkedLibrary("i2c", .when(platforms: [.linux])),
                                 .linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(name: "CIMLinux", dependencies: ["CIMHAL", "CLinuxShim"]),
        // FFTW 3 (single precision) for the audio frontend's FFT.
        .systemLibrary(name: "CFFTW", path: "Sources/CFFTW", pkgConfig: "fftw3f",
                       providers: [.apt(["libfftw3-dev"])]),
        // Audio files: libsndfile decodes every WAV encoding, FLAC and Ogg; libsoxr resamples.
        .systemLibrary(name: "CSndFile", path: "Sources/CSndFile", pkgConfig: "sndfile",
                       providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CSoxr", path: "Sources/CSoxr", pkgConfig: "soxr",
                       providers: [.apt(["libsoxr-dev"])]),
        // Keyword spotting: audio frontend, ONNX import (Sources/KWS/ONNX/Generated is
        // protoc output, see its README), float runtime, tile compiler, accelerator runtime.
        .target(name: "KWS", dependencies: [
            "CIMHAL", "CFFTW", "CSndFile", "CSoxr", "CVectorMath",
            .product(name: "RealModule", package: "swift-numerics"),
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], exclude: ["ONNX/Generated/README.md"]),
        // The firmware loop: manifest, scheduler, state machine, audio sources,
        // detections, energy log. HAL protocols, KWS and a BoardClock only.
        // Refuses the TOML that makes toml++ (inside TOMLKit) abort instead of erring.
        .target(name: "TOMLPreflight"),
        // The energy log's store: the system SQLite 3, in WAL mode.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "Firmware", dependencies: [
            "CIMHAL", "KWS", "TOMLPreflight", "CSQLite",
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "BoardSupport", dependencies: [
            "CIMHAL", "CIMSimulator", "CIMDrivers", "CIMEmulation", "CIMLinux", "KWS", "TOMLPreflight",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // `cimfw evaluate`: the buyer's benchmark of a board running the KWS model, and its report.
        .target(name: "Evaluation", dependencies: ["BoardSupport", "CIMSimulator", "CIMHAL", "CIMDrivers", "KWS", "TOMLPreflight",
                                                   .product(name: "TOMLKit", package: "TOMLKit")],
                exclude: ["Report/report.schema.json"]),
        // libFuzzer targets for every parser of outside bytes (scripts/fuzz.sh builds them
        // with -sanitize=fuzzer,address); an ordinary build replays a corpus through them.
        .executableTarget(name: "cimfw-fuzz", dependencies: [
            "BoardSupport", "CIMEmulation", "CIMHAL", "CIMSimulator", "Evaluation", "Firmware", "KWS",
        ]),
        .executableTarget(name: "cimfw", dependencies: [
            "BoardSupport", "CIMSimulator", "CIMHAL", "KWS", "Firmware", "Evaluation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "CIMHALTests", dependencies: ["CIMHAL"]),
        .testTarget(name: "CIMSimulatorTests", dependencies: ["CIMSimulator", "CIMHAL"]),
        .testTarget(name: "CIMEmulationTests", dependencies: ["CIMEmulation", "CIMSimulator", "CIMHAL"]),
        // On a board, CIMFW_HIL_BOARD names its board file and the driver checks run on /dev too.
        .testTarget(name: "CIMDriversTests", dependencies: ["CIMDrivers", "CIMEmulation", "CIMSimulator", "CIMHAL", "CIMLinux", "BoardSupport"]),
        .testTarget(name: "CIMLinuxTests", dependencies: ["CIMLinux", "CIMHAL"]),
        .testTarget(name: "KWSTests", dependencies: ["KWS", "CIMHAL", "CIMSimulator", "BoardSupport", "CVectorMath"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FirmwareTests", dependencies: ["Firmware", "KWS", "CIMHAL", "CIMSimulator", "BoardSupport"]),
        .testTarget(name: "BoardSupportTests", dependencies: ["BoardSupport", "CIMSimulator", "CIMHAL", "CIMEmulation", "CIMDrivers"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "BoardSupport", "KWS", "CIMSimulator", "CIMHAL"]),
        // Runs the built `cimfw` executable as a user would.
        .testTarget(name: "cimfwTests", dependencies: ["cimfw"]),
    ],
    swiftLanguageModes: [.v6]
)
