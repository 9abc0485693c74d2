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
        let flood = RegistrationFlood(
            endpoint: fleet.endpoint,
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

        let status = try fleet.run(["status", "--coordinator", fleet.endpoint, "--json"], log: "status")
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

/// Sends registrations as `cache`, with its key, about 400 a second from its own thread, until stopped
/// (or 60 s at most, should a test forget).
private final class RegistrationFlood: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var finished = false
    private var count = 0
    private let done = DispatchSemaphore(value: 0)

    init(endpoint: String, keys: CurveKeyPair, serverKey: String) {
        let thread = Thread { [self] in
            defer {
                lock.withLock { finished = true }
                done.signal()
            }
            guard let context = try? Context(),
                let dealer = try? Sockets.dealer(
                    context: context, connect: endpoint, immediate: false, curve: (keys, serverKey))
            else { return }
            defer {
                try? dealer.set(.linger, Int32(0))
                dealer.close()
                context.terminate()
            }
            let deadline = Date().addingTimeInterval(60)
            var id: UInt64 = 1
            while !isStopped, Date() < deadline {
                let register = Message.register(service: "cache", host: "flood", agentPID: 1, snapshot: .idle)
                if (try? dealer.send(WireCodec.encode(Envelope(id: id, message: register)))) == true {
                    lock.withLock { count += 1 }
                }
                id += 1
                // Replies are read and thrown away, so the socket's queue never fills.
                while (try? dealer.receive(maxFrames: 8)) != nil {}
                usleep(2500)
            }
        }
        thread.start()
    }

    private var isStopped: Bool { lock.withLock { stopped } }
    /// Whether it is still sending.
    var isRunning: Bool { lock.withLock { !finished } }
    /// Registrations sent so far.
    var sent: Int { lock.withLock { count } }

    /// Stops the flood and waits for its socket to close.
    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        if first { done.wait() }
    }
}
