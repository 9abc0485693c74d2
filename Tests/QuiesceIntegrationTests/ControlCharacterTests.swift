import Foundation
import QuiesceCore
import QuiesceWire
import Testing
import ZeroMQ

/// An agent driven by hand writes newlines, escape sequences and bidi controls into the text it sends;
/// the coordinator's log, its progress lines and `quiesce status` show them escaped.
@Suite("Control characters from peers", .serialized)
struct ControlCharacterTests {
    static let forged = "FORGED-LINE 2026-12-01T00:00:00+0000 critical: database lost"
    static let hostile = "evil\n\(forged)\u{1B}[2J\u{1B}[31m\u{202E}"

    @Test("A host and a reason holding a newline, ESC[2J and bidi controls reach no log, progress or status raw")
    func peerTextEscaped() async throws {
        let fleet = try Fleet(
            config: """
                # The agent driven by hand sends no heartbeats: it must not be declared lost meanwhile.
                coordinator: { heartbeat_interval: 10s, agent_suspect_after: 30s, agent_lost_after: 60s }
                defaults: { stop_timeout: 5s }
                services:
                  database: {}
                  api: { depends_on: [database] }
                """, secure: false)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database")
        let agent = try HandDrivenAgent(endpoint: fleet.endpoint)
        defer { agent.close() }

        try agent.send(.register(service: "api", host: Self.hostile, agentPID: getpid(), snapshot: .idle), id: 1)
        #expect(try await agent.next().message.type == "welcome")
        let start = try await agent.next()
        #expect(start.message.type == "start")
        try agent.send(.started(pid: getpid()), id: 2)
        try agent.send(.ready, id: 3)
        try agent.send(.unready(reason: Self.hostile), id: 4)
        try agent.send(.ready, id: 5)
        await fleet.waitUntil("the coordinator printed api's unready reason") {
            fleet.coordinatorProgress().contains("api unready:")
                && fleet.coordinatorProgress().contains("api ready again")
        }
        let status = try await fleet.run(["status", "--coordinator", fleet.endpoint], log: "status")
        #expect(status.terminationStatus == 0)

        for log in ["coordinator.err", "coordinator.out", "status.out"] {
            let text = fleet.output(log)
            #expect(!PeerText.hasControlCharacters(text.replacingOccurrences(of: "\n", with: "")), "\(log)")
            #expect(!text.split(separator: "\n").contains { $0.hasPrefix("FORGED-LINE") }, "\(log) holds a forged line")
        }
        #expect(fleet.output("coordinator.err").contains(#"evil\nFORGED-LINE"#))
        #expect(fleet.coordinatorProgress().contains(#"agent connected: api (evil\nFORGED-LINE"#))
        #expect(fleet.coordinatorProgress().contains(#"\x1B[2J\x1B[31m\u{202E}"#))
        #expect(fleet.output("status.out").contains(#"evil\nFORGED-LINE"#))

        // The fleet still shuts down in order: api (answered by hand) before database.
        kill(coordinator.processIdentifier, SIGTERM)
        let stop = try await agent.next { $0.message.type == "stop" }
        let apiStoppedAt = Date().timeIntervalSince1970
        try agent.send(.stopped(.stopped(.exited(0))), id: 6, replyTo: stop.id)
        #expect(await fleet.waitForExit(coordinator) == 0)
        let databaseStopBegan = try #require(fleet.time("database", "stop-begin"))
        #expect(apiStoppedAt < databaseStopBegan, "database began stopping before api had stopped")
        #expect(try fleet.reportEntry("api")["outcome"] as? String == "stopped")
    }
}

/// A plain DEALER that speaks the protocol by hand, as an agent would.
private final class HandDrivenAgent {
    private let context: Context
    private let dealer: Socket

    init(endpoint: String) throws {
        context = try Context()
        dealer = try Socket(context: context, type: .dealer)
        try dealer.connect(endpoint)
    }

    func close() {
        try? dealer.set(.linger, Int32(0))
        dealer.close()
        context.terminate()
    }

    func send(_ message: Message, id: UInt64, replyTo: UInt64? = nil) throws {
        _ = try dealer.send(WireCodec.encode(Envelope(id: id, replyTo: replyTo, message: message)))
    }

    /// The next decodable message that `matches`, within 20 s; heartbeats are skipped.
    func next(where matches: (Envelope) -> Bool = { $0.message != .heartbeat }) async throws -> Envelope {
        var poller = Poller([.socket(dealer)])
        for _ in 0..<400 {
            _ = try poller.poll(timeoutMilliseconds: 50)
            while let received = try dealer.receive() {
                if let envelope = try? WireCodec.decode(received.frames), matches(envelope) { return envelope }
            }
        }
        throw Fleet.FleetError(description: "no message within 20 s")
    }
}
