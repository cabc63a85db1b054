// swift-tools-version: 6.1
// A separate package so that `swift build` and `swift test` of cimfw do not
// build the benchmark harness. Run from the repository root:
//   swift package --package-path Benchmarks benchmark
import PackageDescription

// SwiftPM names a path dependency after its directory, so the checkout's
// folder name ("cimfw", "main", a worktree) is the package identity.
let cimfw = Context.packageDirectory
    .split(separator: "/")
    .dropLast()
    .last
    .map { $0.lowercased() } ?? "cimfw"

let package = Package(
    name: "cimfw-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The floor to compare with: a plain GEMV, vectorised by the compiler
        // for this machine (fused multiply-add and reassociation allowed).
        .target(
            name: "BareGEMV",
            path: "Benchmarks/BareGEMV",
            cSettings: [.unsafeFlags(["-O3", "-march=native", "-ffast-math"])]
        ),
        .executableTarget(
            name: "MVM",
            dependencies: [
                "BareGEMV",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CIMSimulator", package: cimfw),
                .product(name: "CIMHAL", package: cimfw),
            ],
            path: "Benchmarks/MVM",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "KWSInference",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KWS", package: cimfw),
                .product(name: "BoardSupport", package: cimfw),
                .product(name: "CIMHAL", package: cimfw),
            ],
            path: "Benchmarks/KWSInference",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
