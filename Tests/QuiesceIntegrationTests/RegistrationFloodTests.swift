import Foundation
import QuiesceCore
import QuiesceRuntime
import QuiesceWire
import Testing
import ZeroMQ

/// A peer holding one valid agent key floods the coordinator with registrations: its key's share of
/// the limit is used up, nobody else's.
@Suite("Registration flood with a valid key", .serialized)
struct RegistrationFloodTests {
    static let config = """
        coordinator: { heartbeat_interval: 10s, agent_suspect_after: 20s, agent_lost_after: 30s }
        services:
          database: {}
          cache: {}
          api: { depends_on: [database, cache] }
        """

    @Test(
        "While cache's key floods registrations, a restarted database agent is admitted at once, and status counts the flood"
    )
    func floodWithOneKeyKeepsNobodyOut() async throws {
        let fleet = try Fleet(config: Self.config, secure: true)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 0.1, "cache": 0.1, "api": 0.2])
        let keys = fleet.directory.appendingPathComponent("keys").path
        let cache = try CurveCertificate.read("\(keys)/agents/cache.key_secret")
        let server = try CurveCertificate.read("\(keys)/coordinator.key")
        let flood = DealerFlood.registrations(
            to: fleet.endpoint,
            keys: CurveKeyPair(publicKey: cache.publicKey, secretKey: try #require(cache.secretKey)),
            serverKey: server.publicKey)
        defer { flood.stop() }
        await fleet.waitUntil("the flood is dropped past cache's limit") {
            fleet.output("coordinator.err").contains("Registration dropped: too many this second")
        }

        let first = try #require(fleet.agents["database"])
        kill(first.processIdentifier, SIGKILL)
        _ = await fleet.waitForExit(first)
        let restartedAt = ContinuousClock.now
        try fleet.startAgent("database")
        // agent_lost_after is 30 s: "at once" is well within it, with room for a loaded machine.
        await fleet.waitUntil("the restarted database agent runs its service again", timeout: .seconds(15)) {
            fleet.timeline().filter { $0.service == "database" && $0.event == "started" }.count == 2
        }
        #expect(ContinuousClock.now - restartedAt < .seconds(15))
        #expect(flood.isRunning, "the flood lasted until the database was back")

        let status = try await fleet.run(["status", "--coordinator", fleet.endpoint, "--json"], log: "status")
        #expect(status.terminationStatus == 0)
        flood.stop()
        let document = try JSONSerialization.jsonObject(with: Data(fleet.output("status.out").utf8)) as? [String: Any]
        let rejections = document?["rejections"] as? [String: Int] ?? [:]
        #expect(rejections["rate_limited_registrations", default: 0] > 0)
        #expect(rejections["rate_limited_registrations", default: 0] <= flood.sent)
        #expect(fleet.output("status.out").components(separatedBy: "\"ready\"").count == 4)
        #expect(fleet.output("coordinator.err").contains("agent:cache"), "the log names the flooding key")

        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStopped("api", before: ["database", "cache"], in: fleet)
    }
}

extension DealerFlood {
    /// Sends registrations as `cache`, with its key, about 400 a second, until stopped (or 60 s at most).
    static func registrations(to endpoint: String, keys: CurveKeyPair, serverKey: String) -> DealerFlood {
        DealerFlood(endpoint: endpoint, curve: (keys, serverKey), lifetime: 60, pause: 2500) { dealer, pass in
            // The instance of the cache agent already connected (its host's name): refused as a duplicate,
            // where another host would be another instance of cache.
            let register = Message.register(
                service: "cache", host: ProcessInfo.processInfo.hostName, agentPID: 1, snapshot: .idle)
            let sent = (try? dealer.send(WireCodec.encode(Envelope(id: pass + 1, message: register)))) == true
            // Replies are read and thrown away, so the socket's queue never fills.
            while (try? dealer.receive(maxFrames: 8)) != nil {}
            return sent ? 1 : 0
        }
    }
}
