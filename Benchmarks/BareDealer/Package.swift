// swift-tools-version:6.1
// The floor of the agent's size: a Swift program that links libzmq, opens a DEALER, connects it and
// waits, built as the agent is (`swift build -c release --static-swift-stdlib`). scripts/benchmark.sh
// measures its resident memory and stripped size beside the agent's (docs/benchmarks.md).
import PackageDescription

let package = Package(
    name: "bare-dealer",
    targets: [
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .executableTarget(name: "bare-dealer", dependencies: ["CZeroMQ"]),
    ]
)
