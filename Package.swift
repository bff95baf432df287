// swift-tools-version: 6.0
import PackageDescription

// Dependencies flow one way: tidepool -> Controller -> (Pool, Metrics) -> Scaler.
// (The Metrics library is the module TidepoolMetrics, see below.)
// Scaler is pure: no I/O, no clock, no dependencies.
let package = Package(
    name: "Tidepool",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tidepool", targets: ["tidepool"]),
        .executable(name: "mcp-math", targets: ["mcp-math"]),
        .library(name: "Scaler", targets: ["Scaler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(name: "Scaler", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        // The Metrics library's module is TidepoolMetrics: swift-metrics (under Hummingbird)
        // already owns the target name Metrics in the package graph.
        .target(
            name: "TidepoolMetrics",
            dependencies: ["Scaler", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Sources/Metrics"
        ),
        .target(
            name: "Pool",
            dependencies: [
                "Scaler",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "Controller",
            dependencies: [
                "Scaler", "TidepoolMetrics", "Pool", .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // glibc's malloc settings for the batch command, which Swift's Glibc module does not show.
        .target(name: "CMallocTuning"),
        .executableTarget(
            name: "tidepool",
            dependencies: [
                "Controller", "TidepoolMetrics", "Scaler", "Pool", "CMallocTuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The demo MCP server of the embedded default (and the gateway benchmark's member).
        .executableTarget(
            name: "mcp-math",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The gateway benchmark's floor: the least SwiftNIO does to answer one request.
        .executableTarget(
            name: "nio-responder",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/nio-responder"
        ),
        .executableTarget(name: "scaler-bench", dependencies: ["Scaler"], path: "Benchmarks/scaler-bench"),
        .executableTarget(name: "metrics-bench", dependencies: ["TidepoolMetrics"], path: "Benchmarks/metrics-bench"),
        .testTarget(name: "ScalerTests", dependencies: ["Scaler"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MetricsTests", dependencies: ["TidepoolMetrics"]),
        .testTarget(
            name: "PoolTests",
            dependencies: [
                "Pool", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ControllerTests", dependencies: ["Controller", "Pool", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "IntegrationTests", dependencies: ["Scaler", "TidepoolMetrics", "Controller", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        // What more than one test target needs (tests' own helpers, no product code).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets (scripts/fuzz), declared only when TIDEPOOL_FUZZ is set: they have no main
// of their own (libFuzzer's driver runs them) and build only with -sanitize=fuzzer, so the
// ordinary build, `swift build` and `swift test`, never sees them. Each lives in Fuzz/<name>/
// with its corpus in Fuzz/corpus/<name>/.
if Context.environment["TIDEPOOL_FUZZ"] != nil {
    package.targets += [
        // libFuzzer's driver behind an entry point SwiftPM can link (see Fuzz/Driver).
        .target(name: "FuzzDriver", path: "Fuzz/Driver"),
        .target(name: "FuzzSupport", dependencies: ["FuzzDriver"], path: "Fuzz/Support"),
        .executableTarget(name: "fuzz-exposition", dependencies: ["FuzzSupport", "TidepoolMetrics", "Scaler"], path: "Fuzz/exposition"),
        .executableTarget(name: "fuzz-jsonrpc", dependencies: ["FuzzSupport", "Pool", "Scaler"], path: "Fuzz/jsonrpc"),
        .executableTarget(name: "fuzz-config", dependencies: ["FuzzSupport", "Controller", "Pool", "Scaler"], path: "Fuzz/config"),
        .executableTarget(name: "fuzz-case", dependencies: ["FuzzSupport", "Scaler"], path: "Fuzz/case"),
    ]
    package.products += ["exposition", "jsonrpc", "config", "case"].map { .executable(name: "fuzz-\($0)", targets: ["fuzz-\($0)"]) }
}
