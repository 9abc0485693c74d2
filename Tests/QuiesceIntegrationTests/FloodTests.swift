import Foundation
import QuiesceRuntime
import QuiesceWire
import Testing
import ZeroMQ

/// Strangers on the coordinator's port: more connections than its descriptor limit allows, and a flood
/// of malformed messages. The coordinator neither aborts nor falls silent, the operator still reaches
/// it, and the fleet still shuts down in order.
@Suite("Connection and message floods", .serialized)
struct FloodTests {
    static let config = """
        coordinator: { heartbeat_interval: 500ms, agent_suspect_after: 5s, agent_lost_after: 10s ADMIN }
        services:
          database: {}
          api: { depends_on: [database] }
        """

    @Test(
        "Past its descriptor limit of 256 the coordinator drops the newest connections, answers status on its admin plane and shuts down in order"
    )
    func connectionFloodPastTheDescriptorLimit() async throws {
        // The hard limit is lowered too, so that the coordinator cannot raise its way out.
        let fleet = try Fleet(
            config: Self.config, placement: ["coordinator": ["/usr/bin/prlimit", "--nofile=256:256", "--"]],
            secure: false)
        defer { fleet.tearDown() }
        // libzmq aborts when an accept on an ipc:// listener fails for want of a descriptor.
        let adminDirectory = fleet.directory.appendingPathComponent("admin").path
        try FileManager.default.createDirectory(
            atPath: adminDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let admin = "ipc://\(adminDirectory)/admin.sock"
        try Self.config.replacingOccurrences(of: " ADMIN", with: ", admin_bind: \"\(admin)\"")
            .write(to: fleet.configPath, atomically: true, encoding: .utf8)
        let coordinator = try await fleet.up(["database": 0.1, "api": 0.1])

        // Connections that complete the handshake and say nothing, opened again when dropped, for as
        // long as the test lasts.
        let flood = try fleet.startHostilePeer(
            ["hold", "127.0.0.1", HostilePeer.port(of: fleet.endpoint), "400", "90", "greet", "reconnect"],
            log: "flood")
        defer { if flood.isRunning { kill(flood.processIdentifier, SIGKILL) } }
        await fleet.waitUntil("the coordinator drops connections past its cap") {
            fleet.output("coordinator.err").contains("Connection dropped")
        }
        #expect(coordinator.isRunning, "the coordinator did not abort")

        let status = try await fleet.run(["status", "--coordinator", admin], log: "status")
        #expect(status.terminationStatus == 0, "the admin plane answers: \(fleet.output("status.err"))")
        #expect(fleet.output("status.out").components(separatedBy: "ready").count == 3)
        let aborted = fleet.output("coordinator.err").contains("Too many open files (src/")
        #expect(!aborted, "libzmq did not abort on an accept")

        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
    }

    @Test(
        "A flood of malformed messages loses no agent, leaves status answering and the log small, and SIGTERM still ends the coordinator"
    )
    func malformedMessageFlood() async throws {
        let fleet = try Fleet(config: Self.config.replacingOccurrences(of: " ADMIN", with: ""), secure: false)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 0.1, "api": 0.1])

        let flood = DealerFlood.malformedMessages(to: fleet.endpoint)
        defer { flood.stop() }
        await fleet.waitUntil("the flood is under way") { flood.sent > 10_000 }
        // Past agent_suspect_after: agents that heard no heartbeat would report it by now.
        try await Task.sleep(for: .seconds(6))
        let asked = ContinuousClock.now
        let status = try await fleet.run(["status", "--coordinator", fleet.endpoint, "--json"], log: "status")
        // A hang guard, not a measure: the measured figure is in docs/security.md.
        #expect(ContinuousClock.now - asked < .seconds(10))
        #expect(status.terminationStatus == 0)
        #expect(fleet.output("status.out").components(separatedBy: "\"ready\"").count == 3, "no agent lost")
        let document = try JSONSerialization.jsonObject(with: Data(fleet.output("status.out").utf8)) as? [String: Any]
        let rejections = document?["rejections"] as? [String: Int] ?? [:]
        #expect(rejections["malformed_messages", default: 0] > 10_000)
        #expect(flood.isRunning)

        let lines = fleet.output("coordinator.err").split(separator: "\n").filter { $0.contains("malformed") }
        #expect(lines.count <= 5, "one line per 10 s: \(lines.count) lines")

        let stoppedAt = ContinuousClock.now
        #expect(await fleet.shutDown(coordinator) == 0)
        #expect(ContinuousClock.now - stoppedAt < .seconds(20), "the flood did not hold the coordinator")
        #expect(flood.isRunning, "the flood went on until the coordinator exited")
        try expectStopped("api", before: ["database"], in: fleet)
        for agent in ["database", "api"] {
            #expect(!fleet.output("agent-\(agent).err").contains("The coordinator is silent"), "\(agent)")
        }
    }
}

/// Holds `connections` DEALERs connected to `endpoint`, which complete the handshake and never
/// register; those the coordinator drops reconnect.
extension DealerFlood {
    /// Sends malformed messages, 100,000 a second at most (more than the coordinator reads, less than
    /// would starve the suites running beside it), until stopped (or after `lifetime` seconds).
    static func malformedMessages(to endpoint: String, lifetime: TimeInterval = 120) -> DealerFlood {
        let garbage: [[UInt8]] = [Array("QZ1".utf8), Array("{not json".utf8)]
        return DealerFlood(endpoint: endpoint, lifetime: lifetime, pause: 10_000) { dealer, _ in
            (0..<1000).count { _ in (try? dealer.send(garbage)) == true }
        }
    }
}
