// swift-tools-version: 6.0
import PackageDescription

// Dependencies flow one way: tidepool -> Controller -> (Pool, Metrics) -> Scaler.
// Scaler is pure: no I/O, no clock, no dependencies.
let package = Package(
    name: "Tidepool",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tidepool", targets: ["tidepool"]),
        .library(name: "Scaler", targets: ["Scaler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .target(name: "Scaler", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        .target(
            name: "Metrics",
            dependencies: ["Scaler", .product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        .target(name: "Pool", dependencies: ["Scaler"]),
        .target(
            name: "Controller",
            dependencies: ["Scaler", "Metrics", "Pool", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "tidepool",
            dependencies: ["Controller", "Metrics", "Scaler", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "scaler-bench", dependencies: ["Scaler"], path: "Benchmarks/scaler-bench"),
        .executableTarget(name: "metrics-bench", dependencies: ["Metrics"], path: "Benchmarks/metrics-bench"),
        .testTarget(name: "ScalerTests", dependencies: ["Scaler"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"]),
        .testTarget(name: "PoolTests", dependencies: ["Pool"]),
        .testTarget(name: "ControllerTests", dependencies: ["Controller"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Scaler", "Metrics"]),
    ],
    swiftLanguageModes: [.v6]
)
