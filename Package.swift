// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "quiesce",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "quiesce", targets: ["quiesce"]),
        // The agent alone: no Foundation, no Hummingbird; `quiesce agent` runs it.
        .executable(name: "quiesce-agent", targets: ["quiesce-agent"]),
        .executable(name: "quiesce-swarm", targets: ["quiesce-swarm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Already in the graph through Hummingbird and async-http-client: named for the agent's health
        // endpoint (NIO's HTTP server, without Hummingbird) and QuiesceEtcd's imports.
        .package(url: "https://github.com/apple/swift-nio", from: "2.86.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(name: "CQuiesceSystem"),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        // The model and the state machines: no I/O, no package dependency.
        .target(name: "QuiesceCore"),
        // Reading Quiesce and docker compose files (Yams): only the CLI and the tests need it.
        .target(
            name: "QuiesceConfiguration",
            dependencies: ["QuiesceCore", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "QuiesceWire", dependencies: ["QuiesceCore"]),
        // The pictures: the dependency graph (DOT, Mermaid, SVG) and the timeline (SVG), pure text.
        .target(name: "QuiesceDiagrams", dependencies: ["QuiesceCore"]),
        .target(
            name: "QuiesceRuntime",
            dependencies: [
                "QuiesceCore", "QuiesceWire", "ZeroMQ", "CQuiesceSystem",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "QuiesceCoordinator",
            dependencies: [
                "QuiesceCore", "QuiesceWire", "QuiesceRuntime", "QuiesceEtcd", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // A small etcd client over the v3 JSON gateway, for standby coordinators: only the coordinator
        // depends on it, never the agent.
        .target(
            name: "QuiesceEtcd",
            dependencies: [
                "QuiesceCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The agent's runtime. Nothing it links imports Foundation (FoundationEssentials at most), so
        // that the agent's binary carries neither Foundation nor ICU (docs/benchmarks.md).
        .target(
            name: "QuiesceAgent",
            dependencies: [
                "QuiesceCore", "QuiesceWire", "QuiesceRuntime", "ZeroMQ", "CQuiesceSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The options both executables share: durations, keys, the coordinator's endpoint, logging.
        .target(
            name: "QuiesceCommandLine",
            dependencies: [
                "QuiesceCore", "QuiesceRuntime", "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "quiesce",
            dependencies: [
                "QuiesceCore", "QuiesceConfiguration", "QuiesceWire", "QuiesceRuntime", "QuiesceCoordinator",
                "QuiesceCommandLine", "QuiesceDiagrams", "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["BuildCommit"]
        ),
        // The agent's executable, which `quiesce agent` executes in its place.
        .executableTarget(
            name: "quiesce-agent",
            dependencies: [
                "QuiesceCore", "QuiesceAgent", "QuiesceCommandLine", "QuiesceRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["BuildCommit"]
        ),
        // Writes the commit the binary is built from, for `quiesce --version`.
        .plugin(name: "BuildCommit", capability: .buildTool()),
        // A load generator: thousands of simulated agents, and the bare router that is its floor.
        .executableTarget(
            name: "quiesce-swarm",
            dependencies: [
                "QuiesceCore", "QuiesceWire", "QuiesceRuntime", "ZeroMQ", "CQuiesceSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "QuiesceCoreTests", dependencies: ["QuiesceCore"]),
        .testTarget(name: "QuiesceConfigurationTests", dependencies: ["QuiesceConfiguration", "QuiesceCore"]),
        .testTarget(name: "QuiesceRuntimeTests", dependencies: ["QuiesceRuntime"]),
        .testTarget(name: "QuiesceWireTests", dependencies: ["QuiesceWire", "QuiesceCore"]),
        .testTarget(name: "QuiesceDiagramsTests", dependencies: ["QuiesceDiagrams", "QuiesceCore"]),
        .testTarget(name: "QuiesceCLITests", dependencies: ["quiesce", "QuiesceCommandLine"]),
        .testTarget(name: "QuiesceAgentCommandTests", dependencies: ["quiesce-agent", "QuiesceCore"]),
        .testTarget(name: "QuiesceAgentTests", dependencies: ["QuiesceAgent"]),
        .testTarget(
            name: "QuiesceCoordinatorTests",
            dependencies: ["QuiesceCoordinator", "QuiesceCore", "QuiesceWire", "QuiesceRuntime", "ZeroMQ"]
        ),
        // What the test targets share (the free-port picker, the child-process spawner); linked by no product.
        .target(name: "QuiesceTestSupport", path: "Tests/QuiesceTestSupport"),
        .testTarget(
            name: "QuiesceEtcdTests",
            dependencies: ["QuiesceEtcd", "QuiesceCoordinator", "QuiesceCore", "QuiesceTestSupport"]),
        .testTarget(
            name: "QuiesceIntegrationTests",
            dependencies: [
                "QuiesceCore", "QuiesceConfiguration", "QuiesceWire", "QuiesceRuntime", "ZeroMQ", "QuiesceTestSupport",
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["hostile_peer.py", "revision_1_0_agent.py"]
        ),
    ]
)
