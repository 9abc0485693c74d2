import Foundation
import Testing

/// A TCP port on loopback held by a listening socket of the test process, until `close()`.
final class HeldPort {
    let port: Int
    private let descriptor: Int32

    init() throws {
        (descriptor, port) = try listenOnLoopback(backlog: 4)
    }

    func close() {
        Glibc.close(descriptor)
    }
}

/// Every address Quiesce listens on, taken already or not this host's: the command exits 78 before
/// starting anything, with one line naming the address, what went wrong, and the flag or key to
/// change, and never the raw text of the error.
@Suite("Addresses in use")
struct PortInUseTests {
    /// What no message may show: NIO's and libzmq's own words.
    static func expectReadable(_ errors: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for raw in ["IOError", "bind(descriptor", "errno", "zmq_bind", "Error Domain="] {
            #expect(!errors.contains(raw), "\(errors)", sourceLocation: sourceLocation)
        }
    }

    @Test("The coordinator's endpoint and its metrics port, held by another socket, are named with the fix")
    func coordinator() async throws {
        let held = try HeldPort()
        defer { held.close() }
        let fleet = try Fleet(config: "services: { cache: {} }", secure: false)
        defer { fleet.tearDown() }
        let endpoint = "tcp://127.0.0.1:\(held.port)"
        let bind = try await CommandResult.run(
            Fleet.binary, ["coordinator", "-c", fleet.configPath.path, "--bind", endpoint, "--insecure"])
        #expect(bind.status == 78)
        #expect(
            bind.errors.contains(
                "coordinator: cannot listen on \(endpoint): the address is in use, probably by another coordinator; "
                    + "stop it (ss -ltnp 'sport = :\(held.port)' names it), or give another port (--bind or coordinator.bind)"
            ), "\(bind.errors)")
        Self.expectReadable(bind.errors)

        let metrics = try await CommandResult.run(
            Fleet.binary,
            [
                "coordinator", "-c", fleet.configPath.path, "--bind", fleet.endpoint, "--insecure", "--metrics-bind",
                "127.0.0.1:\(held.port)",
            ])
        #expect(metrics.status == 78)
        #expect(
            metrics.errors.contains(
                "coordinator: cannot serve metrics on 127.0.0.1:\(held.port): the address is in use, probably by "
                    + "another coordinator's metrics or an exporter; stop it (ss -ltnp 'sport = :\(held.port)' names it), "
                    + "or give another port (--metrics-bind or coordinator.metrics_bind)"), "\(metrics.errors)")
        Self.expectReadable(metrics.errors)

        try "coordinator:\n  metrics_bind: \"10.255.255.1:9464\"\nservices: { cache: {} }\n".write(
            to: fleet.configPath, atomically: true, encoding: .utf8)
        let elsewhere = try await CommandResult.run(
            Fleet.binary, ["coordinator", "-c", fleet.configPath.path, "--bind", fleet.endpoint, "--insecure"])
        #expect(elsewhere.status == 78)
        #expect(
            elsewhere.errors.contains(
                "cannot serve metrics on 10.255.255.1:9464: no interface of this host has the address 10.255.255.1"),
            "\(elsewhere.errors)")
    }

    @Test("An agent whose --health-port is held exits 78 with the fix, before it starts its service")
    func agentHealthPort() async throws {
        let held = try HeldPort()
        defer { held.close() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-port-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ran = directory.appendingPathComponent("ran").path
        let agent = try await CommandResult.run(
            Fleet.binary,
            [
                "agent", "--name", "cache", "--coordinator", "tcp://127.0.0.1:\(try FreePort.pick())", "--insecure",
                "--health-port", String(held.port), "--", "/bin/sh", "-c", "touch \(ran)",
            ], timeout: .seconds(60))
        #expect(agent.status == 78)
        #expect(
            agent.errors.contains(
                "agent cache: cannot serve the health endpoint on 127.0.0.1:\(held.port): the address is in use, "
                    + "probably by another agent's health endpoint; stop it (ss -ltnp 'sport = :\(held.port)' names it), "
                    + "or give another port (--health-port and --health-host)"), "\(agent.errors)")
        Self.expectReadable(agent.errors)
        #expect(!FileManager.default.fileExists(atPath: ran), "the service was never started")

        let elsewhere = try await CommandResult.run(
            Fleet.binary,
            [
                "agent", "--name", "cache", "--coordinator", "tcp://127.0.0.1:\(try FreePort.pick())", "--insecure",
                "--health-port", String(held.port), "--health-host", "10.255.255.1", "--", "/bin/true",
            ], timeout: .seconds(60))
        #expect(elsewhere.status == 78)
        #expect(
            elsewhere.errors.contains("no interface of this host has the address 10.255.255.1"), "\(elsewhere.errors)")
    }

    @Test("An admin plane's socket a running coordinator listens on is in use, not replaced; the first keeps it")
    func adminPlaneInUse() async throws {
        let fleet = try Fleet(config: "services: { cache: {} }", secure: false)
        defer { fleet.tearDown() }
        let sockets = fleet.directory.appendingPathComponent("run")
        try FileManager.default.createDirectory(
            at: sockets, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let admin = "ipc://\(sockets.path)/admin.sock"
        try "coordinator: { admin_bind: \"\(admin)\" }\nservices: { cache: {} }\n".write(
            to: fleet.configPath, atomically: true, encoding: .utf8)
        let first = try await fleet.startCoordinator()
        #expect(first.isRunning)
        let second = try await CommandResult.run(
            Fleet.binary,
            [
                "coordinator", "-c", fleet.configPath.path, "--bind", "tcp://127.0.0.1:\(try FreePort.pick())",
                "--insecure",
            ])
        #expect(second.status == 78)
        #expect(
            second.errors.contains(
                "coordinator: cannot serve the admin plane on \(admin): the address is in use, probably by another "
                    + "coordinator; stop it, or give another path (coordinator.admin_bind)"), "\(second.errors)")
        let status = try await CommandResult.run(Fleet.binary, ["status", "--coordinator", admin, "--json"])
        #expect(status.status == 0 || status.status == 3, "the first coordinator still answers: \(status.errors)")
        #expect(ScriptableOutputTests.document(status.output)?["phase"] != nil)
        #expect(await fleet.shutDown(first) == 1, "cache never had an agent")
    }
}
