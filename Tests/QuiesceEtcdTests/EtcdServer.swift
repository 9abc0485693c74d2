import Foundation
import QuiesceEtcd
import QuiesceTestSupport
// The one port picker of the test targets; exported, so that every test of this target sees it.
@_exported import QuiesceTestSupport
import Testing

/// A real etcd for one test: a single member on loopback, on free ports, with a data directory of its
/// own, stopped and removed by ``stop()``.
final class EtcdServer: @unchecked Sendable {
    /// The client URL, `http://127.0.0.1:PORT`.
    let endpoint: String
    let clientPort: Int
    private let directory: URL
    private let process: ChildProcess
    private let lock = NSLock()
    private var stopped = false

    /// Where the `etcd` binary is, or `nil` when it is not installed (`apt-get install etcd-server`).
    static let binary: String? = ["/usr/bin/etcd", "/usr/local/bin/etcd"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Whether etcd is installed; suites without it are skipped, saying so.
    static var isInstalled: Bool { binary != nil }

    /// Starts etcd and waits until it answers, at most `readiness` (a bound for a loaded machine).
    /// Ports are picked again when another process took one first (tests beside it pick ports too).
    static func start(readiness: Duration = .seconds(90)) async throws -> EtcdServer {
        guard let binary else { throw Failure("etcd is not installed: apt-get install -y etcd-server") }
        for attempt in 1...5 {
            let server = try EtcdServer(binary: binary, clientPort: try FreePort.pick(), peerPort: try FreePort.pick())
            do {
                try await server.waitUntilServing(within: readiness)
                return server
            } catch {
                await server.stop()
                guard attempt < 5, "\(error)".contains("address already in use") else { throw error }
            }
        }
        throw Failure("unreachable")
    }

    private init(binary: String, clientPort: Int, peerPort: Int) throws {
        self.clientPort = clientPort
        endpoint = "http://127.0.0.1:\(clientPort)"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-etcd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = "test-\(clientPort)"
        let peer = "http://127.0.0.1:\(peerPort)"
        process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--name", name, "--data-dir", directory.appendingPathComponent("data").path,
            "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "\(name)=\(peer)", "--initial-cluster-state", "new",
        ]
        let log = directory.appendingPathComponent("etcd.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// What etcd logged, for a failing test's message.
    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("etcd.log"), encoding: .utf8)) ?? "(no log)"
    }

    private func waitUntilServing(within bound: Duration) async throws {
        let client = try EtcdClient(endpoints: [endpoint], timeout: .seconds(2), connectTimeout: .seconds(1))
        let deadline = ContinuousClock.now + bound
        var failure: Failure?
        while failure == nil {
            if (try? await client.range(.key("/readiness"))) != nil { break }
            if !process.isRunning {
                failure = Failure("etcd exited at its start:\n\(log)")
            } else if ContinuousClock.now >= deadline {
                failure = Failure("etcd did not answer within \(bound):\n\(log)")
            } else {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        try await client.shutdown()
        if let failure { throw failure }
    }

    /// Freezes etcd (SIGSTOP): connections are still accepted by the kernel, but nothing answers.
    func freeze() { kill(process.processIdentifier, SIGSTOP) }

    /// Thaws a frozen etcd (SIGCONT).
    func thaw() { kill(process.processIdentifier, SIGCONT) }

    /// Stops etcd (SIGKILL, then reaped) and removes its data directory. Safe to call twice.
    func stop() async {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        if process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGKILL)
        }
        for _ in 0..<200 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(50))
        }
        try? FileManager.default.removeItem(at: directory)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// Runs `body` with a fresh etcd and a client of it, and stops and removes both whatever happens.
func withEtcd(
    timeout: Duration = .seconds(60), _ body: (EtcdServer, EtcdClient) async throws -> Void
) async throws {
    try await withServer { server in
        try await withClient([server.endpoint], timeout: timeout) { try await body(server, $0) }
    }
}

/// Runs `body` with a fresh etcd, and stops and removes it whatever happens.
func withServer(_ body: (EtcdServer) async throws -> Void) async throws {
    let server = try await EtcdServer.start()
    do {
        try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// Runs `body` with a client of `endpoints`, and shuts it down whatever happens (a client left
/// running when it is released stops a debug build).
func withClient(_ endpoints: [String], timeout: Duration = .seconds(60), _ body: (EtcdClient) async throws -> Void)
    async throws
{
    let client = try EtcdClient(endpoints: endpoints, timeout: timeout)
    do {
        try await body(client)
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
}
