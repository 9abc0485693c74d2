import Foundation
import QuiesceTestSupport
import Testing

/// A real etcd for one test of standby coordinators: a single member on free loopback ports, or a
/// member of a cluster on a host of a ``NetworkLab``, its data in the test's directory, ready once
/// `etcdctl` finds it healthy. It can be killed and started again on the same data, as a restarted
/// etcd is. (`QuiesceEtcdTests` has its own, which answers through the etcd client; this one needs
/// neither that module nor its tests.)
final class LocalEtcd {
    /// The client URL, `http://ADDRESS:PORT`.
    let endpoint: String
    /// The member's name in its cluster.
    let name: String
    private var process: ChildProcess
    private let directory: URL
    /// The command that runs this member: the host's placement, then etcd and its flags.
    private let command: [String]
    /// The command prefix that runs `etcdctl` where it can reach the member.
    private let placement: [String]

    /// Where the `etcd` binary is, or `nil` when it is not installed (`apt-get install etcd-server`).
    static let binary: String? = ["/usr/bin/etcd", "/usr/local/bin/etcd"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Whether etcd and etcdctl are installed; the suites that need them are skipped, saying so, without.
    static var isInstalled: Bool {
        binary != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/etcdctl")
    }

    /// Where one member listens and with whom it forms its cluster.
    private struct Member {
        var name: String
        var clientURL: String
        var peerURL: String
        /// `NAME=PEER_URL` of every member, the cluster's `--initial-cluster`.
        var cluster: String
        var placement: [String]
    }

    /// Starts a single etcd on loopback in `directory` and waits until it answers (90 s at most: a
    /// hang guard for a loaded machine).
    static func start(in directory: URL) async throws -> LocalEtcd {
        var lastError: any Error = Fleet.FleetError(description: "etcd did not start")
        for _ in 1...3 {
            let client = "http://127.0.0.1:\(try FreePort.pick())"
            let peer = "http://127.0.0.1:\(try FreePort.pick())"
            let etcd = try LocalEtcd(
                Member(name: "test", clientURL: client, peerURL: peer, cluster: "test=\(peer)", placement: []),
                directory: directory.appendingPathComponent("etcd-\(client.split(separator: ":").last!)"))
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

    /// Starts one etcd member on each of `hosts` of `lab` (on port 2379 for clients and 2380 for
    /// peers of the host's address), as one cluster, its data in `directory`, and waits until every
    /// member answers (90 s at most, a hang guard). A single host makes a single-member cluster.
    static func startCluster(on hosts: [String], of lab: NetworkLab, in directory: URL) async throws -> [LocalEtcd] {
        let peers = hosts.map { "http://\(lab.hosts[$0]!.address):2380" }
        let cluster = zip(hosts, peers).map { "\($0)=\($1)" }.joined(separator: ",")
        var members: [LocalEtcd] = []
        do {
            for (host, peer) in zip(hosts, peers) {
                let member = Member(
                    name: host, clientURL: "http://\(lab.hosts[host]!.address):2379", peerURL: peer, cluster: cluster,
                    placement: lab.placement(host))
                members.append(try LocalEtcd(member, directory: directory.appendingPathComponent("etcd-\(host)")))
            }
            // A member of a cluster answers only once a quorum is up: every member starts first.
            for member in members { try await member.waitUntilHealthy(within: .seconds(90)) }
        } catch {
            for member in members { await member.stop() }
            throw error
        }
        return members
    }

    private init(_ member: Member, directory: URL) throws {
        endpoint = member.clientURL
        name = member.name
        placement = member.placement
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        command =
            member.placement + [
                Self.binary ?? "/usr/bin/etcd", "--name", member.name, "--data-dir",
                directory.appendingPathComponent("data").path,
                "--listen-client-urls", member.clientURL, "--advertise-client-urls", member.clientURL,
                "--listen-peer-urls", member.peerURL, "--initial-advertise-peer-urls", member.peerURL,
                "--initial-cluster", member.cluster, "--initial-cluster-state", "new",
            ]
        process = try Self.launch(command, log: directory.appendingPathComponent("etcd.log"))
    }

    /// Runs `command`, its output appended to `log`.
    private static func launch(_ command: [String], log: URL) throws -> ChildProcess {
        if !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let output = try FileHandle(forWritingTo: log)
        output.seekToEndOfFile()
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = output
        process.standardError = output
        try ProcessExit.start(process)
        return process
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
        await etcdctl(["endpoint", "health"])
    }

    /// Whether this member leads its cluster's raft, as `etcdctl endpoint status` says (`false` when
    /// it does not answer).
    func isRaftLeader() async -> Bool {
        let answer = directory.appendingPathComponent("status-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: answer) }
        _ = FileManager.default.createFile(atPath: answer.path, contents: nil)
        guard let output = try? FileHandle(forWritingTo: answer),
            await etcdctl(["endpoint", "status"], output: output)
        else { return false }
        // `ENDPOINT, ID, VERSION, DB SIZE, IS LEADER, IS LEARNER, RAFT TERM, …`
        let fields = ((try? String(contentsOf: answer, encoding: .utf8)) ?? "").components(separatedBy: ", ")
        return fields.count > 4 && fields[4] == "true"
    }

    /// Runs `etcdctl ARGUMENTS` against this member where it can reach it, its output to `output`,
    /// and answers whether it succeeded.
    private func etcdctl(_ arguments: [String], output: FileHandle = .nullDevice) async -> Bool {
        let command =
            placement + [
                "/usr/bin/etcdctl", "--endpoints", endpoint, "--dial-timeout", "2s", "--command-timeout", "2s",
            ] + arguments
        let check = ChildProcess()
        check.executableURL = URL(fileURLWithPath: command[0])
        check.arguments = Array(command.dropFirst())
        check.environment = ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        check.standardOutput = output
        check.standardError = FileHandle.nullDevice
        guard (try? ProcessExit.start(check)) != nil else { return false }
        return await Fleet.waitForExit(check, timeout: .seconds(30)) == 0
    }

    /// Freezes etcd (SIGSTOP): connections are still accepted by the kernel, and nothing answers.
    func freeze() { kill(process.processIdentifier, SIGSTOP) }

    /// Thaws a frozen etcd (SIGCONT).
    func thaw() { kill(process.processIdentifier, SIGCONT) }

    /// Kills etcd (SIGKILL) and keeps its data, for ``restart()``.
    func crash() async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGCONT)
        kill(process.processIdentifier, SIGKILL)
        _ = await Fleet.waitForExit(process, timeout: .seconds(30))
    }

    /// Starts a member ended by ``crash()`` again on its data, and waits until it answers (90 s at
    /// most, a hang guard).
    func restart() async throws {
        guard !process.isRunning else { return }
        process = try Self.launch(command, log: directory.appendingPathComponent("etcd.log"))
        try await waitUntilHealthy(within: .seconds(90))
    }

    /// What etcd logged, for a failure's message.
    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("etcd.log"), encoding: .utf8)) ?? ""
    }

    /// Stops etcd (SIGKILL) and removes its data.
    func stop() async {
        await crash()
        try? FileManager.default.removeItem(at: directory)
    }
}
