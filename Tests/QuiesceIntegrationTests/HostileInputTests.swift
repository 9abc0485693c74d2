import Foundation
import QuiesceCore
import QuiesceWire
import Testing
import ZeroMQ

/// Garbage, truncated, oversized and wrong-version messages sent to a live coordinator and a live
/// agent: both drop them, count them, log them, and keep working.
@Suite("Hostile input to live processes", .serialized)
struct HostileInputTests {
    /// Messages no peer should send: each must be dropped.
    static let garbage: [[[UInt8]]] = [
        [Array("not a protocol".utf8)],
        [Array("QSC/2".utf8), Array(#"{"id":1,"type":"heartbeat"}"#.utf8)],
        [Array("QSC/1".utf8), Array(#"{"id":1,"type":"stop","timeout_ms"#.utf8)],
        [Array("QSC/1".utf8), Array(#"{"id":1,"type":"reboot"}"#.utf8)],
        [Array("QSC/1".utf8), Array(#"{"id":1,"type":"stop","timeout_ms":-1}"#.utf8)],
        [Array("QSC/1".utf8), Array(#"[1,2,3]"#.utf8)],
        (0..<9).map { [UInt8($0)] },
        [Array("QSC/1".utf8), (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }],
        [Array("QSC/1".utf8), Array(repeating: UInt8(ascii: "x"), count: WireCodec.maximumBodySize + 10)],
    ]

    @Test("A coordinator keeps serving and shuts its fleet down in order after garbage from strangers")
    func coordinatorSurvives() async throws {
        let fleet = try Fleet(config: OperationTests.config, secure: false)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 0.1, "cache": 0.1, "api": 0.2])

        let context = try Context()
        defer { context.terminate() }
        for message in Self.garbage {
            // A new connection for each: an oversized frame makes libzmq drop the connection.
            let dealer = try Socket(context: context, type: .dealer)
            try dealer.set(.linger, Int32(1000))
            try dealer.connect(fleet.endpoint)
            _ = try dealer.send(message)
            dealer.close()
        }
        // The log is throttled to one line per 10 s; status counts every dropped message.
        await fleet.waitUntil("the coordinator logged the dropped messages") {
            fleet.output("coordinator.err").contains("Dropped a malformed message")
        }
        var malformed = 0
        await fleet.waitUntil("status counts the dropped messages") {
            guard (try? await fleet.run(["status", "--coordinator", fleet.endpoint, "--json"], log: "status")) != nil,
                let document = try? JSONSerialization.jsonObject(with: Data(fleet.output("status.out").utf8))
                    as? [String: Any]
            else { return false }
            malformed = (document["rejections"] as? [String: Int])?["malformed_messages"] ?? 0
            return malformed > 4
        }
        #expect(malformed > 4)
        #expect(fleet.output("status.out").components(separatedBy: "\"ready\"").count == 4)
        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStopped("api", before: ["database", "cache"], in: fleet)
    }

    @Test("A flood of registrations past the rate limit is dropped and counted; real agents still get in")
    func registrationFlood() async throws {
        let fleet = try Fleet(config: "services: { app: {} }", secure: false)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        let context = try Context()
        let dealer = try Socket(context: context, type: .dealer)
        defer {
            try? dealer.set(.linger, Int32(0))
            dealer.close()
            context.terminate()
        }
        try dealer.connect(fleet.endpoint)
        for index in 0..<400 {
            let register = Message.register(service: "flood-\(index)", host: "x", agentPID: 1, snapshot: .idle)
            _ = try dealer.send(WireCodec.encode(Envelope(id: UInt64(index + 1), message: register)))
        }
        await fleet.waitUntil("the coordinator dropped registrations for the rate") {
            fleet.output("coordinator.err").contains("Registration dropped: too many this second")
        }
        try fleet.startAgent("app")
        await fleet.waitUntilStarted(["app"])
        #expect(await fleet.shutDown(coordinator) == 0)
    }

    @Test("An agent drops garbage from its coordinator and still obeys the next real orders")
    func agentSurvives() async throws {
        let fleet = try Fleet(config: "services: { app: {} }", secure: false)
        defer { fleet.tearDown() }
        let coordinator = try StandInCoordinator(endpoint: fleet.endpoint)
        defer { coordinator.close() }
        let agent = try fleet.startAgent("app", stopDelay: 0.1)

        let registration = try await coordinator.awaitRegistration()
        guard case .register(let service, _, _, _, _) = registration.message else {
            Issue.record("expected a registration, got \(registration)")
            return
        }
        #expect(service == "app")
        for message in Self.garbage.dropLast() { try coordinator.send(frames: message) }
        try coordinator.order(.welcome(heartbeatInterval: .seconds(1), lostAfter: .seconds(5)), id: 100)
        try coordinator.order(.start(readiness: nil, restart: nil), id: 101)
        await fleet.waitUntilStarted(["app"])
        try coordinator.order(.stop(timeout: .seconds(5), drain: .zero, exit: true), id: 102)
        let report = try await coordinator.nextReport()
        #expect(report.message == .stopped(.stopped(.exited(0))))
        #expect(report.replyTo == 102)
        try coordinator.send(Envelope(id: 103, replyTo: report.id, message: .ack))
        #expect(await fleet.waitForExit(agent) == 0)
        #expect(fleet.output("agent-app.err").contains("Dropped a malformed message"))
    }
}
