import Foundation
import QuiesceRuntime
import Testing
import ZeroMQ

/// An agent with keys whose handshake failed at whoever held the coordinator's endpoint makes its
/// socket anew until the real coordinator is there, without being restarted.
@Suite("A keyed agent after a failed handshake", .serialized)
struct ReconnectTests {
    static let config = """
        defaults: { stop_timeout: 5s }
        services:
          database: {}
          api: { depends_on: [database] }
        """

    /// The agent's warnings for a failed handshake at a plain peer: a mechanism mismatch, or, when the
    /// peer did not answer the greeting in time (a loaded machine), a failure without detail. Each is
    /// logged at most once every 10 s.
    static func failureLines(_ endpoint: String) -> [String] {
        [
            "The handshake with the coordinator at \(endpoint) failed; retrying",
            "The coordinator at \(endpoint) did not prove the key in --server-key (or dropped the connection); retrying",
        ]
    }

    @Test(
        "Keyed agents started while a plain impostor holds the endpoint register, without a restart, once it is gone and the real coordinator binds there; the fleet starts and stops in order"
    )
    func reconnectsAfterPlainImpostor() async throws {
        let fleet = try Fleet(config: Self.config, secure: true)
        defer { fleet.tearDown() }
        let impostor = try StandInCoordinator(endpoint: fleet.endpoint)
        var impostorOpen = true
        defer { if impostorOpen { impostor.close() } }
        let started = ContinuousClock.now
        let agents = try ["database", "api"].map { try fleet.startAgent($0) }
        let failureLines = Self.failureLines(fleet.endpoint)
        await fleet.waitUntil("both agents' handshakes failed at the impostor") {
            ["database", "api"].allSatisfy { name in
                failureLines.contains { fleet.output("agent-\(name).err").contains($0) }
            }
        }
        // Long enough for several new sockets, each failing there again.
        try await Task.sleep(for: .seconds(3))
        impostor.close()
        impostorOpen = false
        // The failure repeats at every new socket and is logged once every 10 s.
        let seconds = (ContinuousClock.now - started).components.seconds
        for name in ["database", "api"] {
            let log = fleet.output("agent-\(name).err")
            for line in failureLines {
                let lines = log.components(separatedBy: line).count - 1
                #expect(lines <= 1 + Int(seconds) / 10, "\(lines) lines in \(seconds) s: \(log)")
            }
            #expect(failureLines.contains(where: log.contains), "\(log)")
        }

        let coordinator = try await fleet.startCoordinator()
        await fleet.waitUntilStarted(["database", "api"])
        for (name, agent) in zip(["database", "api"], agents) {
            #expect(agent.isRunning, "the agent of \(name) exited")
            #expect(fleet.agents[name] === agent, "the agent of \(name) was started again")
        }
        #expect(
            await fleet.shutDown(coordinator) == 0,
            "\(fleet.coordinatorProgress())\n\(fleet.output("agent-database.err"))\n\(fleet.output("agent-api.err"))")
        try expectStartedAfter("api", dependencies: ["database"], in: fleet)
        try expectStopped("api", before: ["database"], in: fleet)
        #expect(fleet.servicePIDs().isEmpty)
        for agent in agents { #expect(await fleet.waitForExit(agent) == 0) }
    }

    @Test("An agent given a wrong --server-key says that the coordinator did not prove it, and keeps trying")
    func wrongServerKey() async throws {
        let fleet = try Fleet(config: Self.config, secure: true)
        defer { fleet.tearDown() }
        let keys = fleet.directory.appendingPathComponent("keys")
        try CurveCertificate.write(try CurveKeyPair.generate(), name: "elsewhere", to: keys.path)
        let coordinator = try await fleet.startCoordinator()
        let agent = try fleet.startAgent(
            "database",
            extraArguments: [
                "--key", keys.appendingPathComponent("agents/database.key_secret").path,
                "--server-key", keys.appendingPathComponent("elsewhere.key").path,
            ])
        await fleet.waitUntil("the agent says the coordinator did not prove its key") {
            fleet.output("agent-database.err").contains(
                "The coordinator at \(fleet.endpoint) did not prove the key in --server-key (or dropped the connection); retrying"
            )
        }
        #expect(agent.isRunning)
        #expect(!fleet.output("coordinator.err").contains("Agent registered"))
        #expect(await fleet.shutDown(coordinator) != nil)
        kill(agent.processIdentifier, SIGTERM)
        #expect(await fleet.waitForExit(agent) != nil)
    }
}
