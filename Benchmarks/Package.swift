// swift-tools-version: 6.1
// A separate package so that `swift build` and `swift test` of cimfw do not
// build the benchmark harness. Run from the repository root:
//   swift package --package-path Benchmarks benchmark
import PackageDescription

let package = Package(
    name: "cimfw-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "MVM",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CIMSimulator", package: "main"),
                .product(name: "CIMHAL", package: "main"),
            ],
            path: "Benchmarks/MVM",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "KWSInference",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KWS", package: "main"),
                .product(name: "BoardSupport", package: "main"),
                .product(name: "CIMHAL", package: "main"),
            ],
            path: "Benchmarks/KWSInference",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
