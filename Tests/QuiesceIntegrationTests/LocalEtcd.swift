import Foundation
import QuiesceTestSupport
import Testing

/// A real etcd for one test of standby coordinators: a single member on free loopback ports, its data
/// in the fleet's directory, ready once `etcdctl` finds it healthy. (`QuiesceEtcdTests` has its own,
/// which answers through the etcd client; this one needs neither that module nor its tests.)
final class LocalEtcd {
    /// The client URL, `http://127.0.0.1:PORT`.
    let endpoint: String
    private let process: ChildProcess
    private let directory: URL

    /// Where the `etcd` binary is, or `nil` when it is not installed (`apt-get install etcd-server`).
    static let binary: String? = ["/usr/bin/etcd", "/usr/local/bin/etcd"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Whether etcd and etcdctl are installed; the suites that need them are skipped, saying so, without.
    static var isInstalled: Bool {
        binary != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/etcdctl")
    }

    /// Starts etcd in `directory` and waits until it answers (90 s at most: a hang guard for a loaded
    /// machine).
    static func start(in directory: URL) async throws -> LocalEtcd {
        var lastError: any Error = Fleet.FleetError(description: "etcd did not start")
        for _ in 1...3 {
            let etcd = try LocalEtcd(
                directory: directory, clientPort: try FreePort.pick(), peerPort: try FreePort.pick())
            do {
                try await etcd.waitUntilHealthy(within: .seconds(90))
                return etcd
            } catch {
                lastError = error
                await etcd.stop()
            }
        }
        throw lastError
    }

    private init(directory: URL, clientPort: Int, peerPort: Int) throws {
        endpoint = "http://127.0.0.1:\(clientPort)"
        self.directory = directory.appendingPathComponent("etcd-\(clientPort)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        let peer = "http://127.0.0.1:\(peerPort)"
        process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: Self.binary ?? "/usr/bin/etcd")
        process.arguments = [
            "--name", "test", "--data-dir", self.directory.appendingPathComponent("data").path,
            "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "test=\(peer)", "--initial-cluster-state", "new",
        ]
        let log = self.directory.appendingPathComponent("etcd.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try ProcessExit.start(process)
    }

    private func waitUntilHealthy(within bound: Duration) async throws {
        let deadline = ContinuousClock.now + bound
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw Fleet.FleetError(description: "etcd exited at its start") }
            if await healthy() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw Fleet.FleetError(description: "etcd did not answer within \(bound)")
    }

    /// Whether `etcdctl endpoint health` finds it healthy.
    func healthy() async -> Bool {
        let check = ChildProcess()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/etcdctl")
        check.arguments = [
            "--endpoints", endpoint, "--dial-timeout", "2s", "--command-timeout", "2s", "endpoint", "health",
        ]
        check.environment = ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        guard (try? ProcessExit.start(check)) != nil else { return false }
        return await Fleet.waitForExit(check, timeout: .seconds(30)) == 0
    }

    /// Freezes etcd (SIGSTOP): connections are still accepted by the kernel, and nothing answers.
    func freeze() { kill(process.processIdentifier, SIGSTOP) }

    /// Thaws a frozen etcd (SIGCONT).
    func thaw() { kill(process.processIdentifier, SIGCONT) }

    /// Stops etcd (SIGKILL) and removes its data.
    func stop() async {
        if process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGKILL)
            _ = await Fleet.waitForExit(process, timeout: .seconds(30))
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
