import Foundation
import QuiesceCore
import QuiesceRuntime
import QuiesceTestSupport
import QuiesceWire
import Testing
import ZeroMQ

/// The real agent given two coordinators, played by ``StandInCoordinator``s that answer `standby` or
/// `welcome` with the epochs a test chooses (docs/protocol.md §7.11): it obeys the one that welcomed
/// it with the highest epoch, and the stale orders of the other never reach its service.
@Suite("Agents of several coordinators follow the leader", .serialized)
struct AgentLeaderFollowingTests {
    static let config = "services:\n  api: {}\n"

    static func isRegistration(_ envelope: Envelope) -> Bool {
        if case .register = envelope.message { true } else { false }
    }

    static func isHeartbeat(_ envelope: Envelope) -> Bool {
        if case .heartbeat = envelope.message { true } else { false }
    }

    /// A welcome of `epoch` to `registration`: heartbeats every 200 ms, and a coordinator lost only
    /// after a minute, longer than any test, so that silence plays no part.
    static func welcome(_ registration: Envelope, epoch: UInt64) -> Envelope {
        Envelope(
            id: 100, replyTo: registration.id, epoch: epoch,
            message: .welcome(heartbeatInterval: .milliseconds(200), lostAfter: .seconds(60)))
    }

    /// Starts an agent of `api` given `coordinators`, whose service takes 0.1 s to stop.
    static func startAgent(in fleet: Fleet, coordinators: [String], flags: [String] = []) throws -> ChildProcess {
        let script = fleet.directory.appendingPathComponent("service.sh").path
        return try fleet.start(
            ["agent", "--name", "api", "--coordinator", coordinators.joined(separator: ",")] + flags
                + ["--", "/bin/sh", script, "api", "0.1", "obey", fleet.timelinePath.path],
            log: "agent-api")
    }

    @Test(
        "The agent registers with both, obeys the one that welcomed it, moves to a higher epoch, drops the old leader's stop, registers again at once when the leader forgets it, and keeps its service through the leader's standby"
    )
    func followsTheLeader() async throws {
        let fleet = try Fleet(config: Self.config, secure: false)
        defer { fleet.tearDown() }
        let endpoints = try [0, 1].map { _ in "tcp://127.0.0.1:\(try FreePort.pick())" }
        let a = try StandInCoordinator(endpoint: endpoints[0])
        defer { a.close() }
        let b = try StandInCoordinator(endpoint: endpoints[1])
        defer { b.close() }
        let agent = try Self.startAgent(in: fleet, coordinators: endpoints)
        defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }

        try a.send(Self.welcome(try await a.next(where: Self.isRegistration), epoch: 5))
        let first = try await b.next(where: Self.isRegistration)
        try b.send(Envelope(id: 200, replyTo: first.id, message: .standby(leader: endpoints[0], leaderEpoch: 5)))
        // The standby keeps hearing the registration, so that it hears from the agent if it takes over.
        let repeated = try await b.next(where: Self.isRegistration)
        #expect(repeated.id != first.id)

        try a.send(Envelope(id: 101, epoch: 5, message: .start(readiness: nil, restart: nil)))
        await fleet.waitUntilStarted(["api"])
        _ = try await a.next(where: Self.isHeartbeat)

        // b takes over with a higher epoch: the agent moves there.
        try b.send(Self.welcome(try await b.next(where: Self.isRegistration), epoch: 9))
        _ = try await b.next(where: Self.isHeartbeat)
        let log = { fleet.output("agent-api.err") }
        await fleet.waitUntil("the agent says b leads") {
            log().contains("The coordinator at \(endpoints[1]) leads for this agent")
        }
        #expect(log().contains("The coordinator at \(endpoints[0]) leads for this agent"))

        // The old leader's stop is dropped: it never reaches the service.
        try a.send(Envelope(id: 102, epoch: 5, message: .stop(timeout: .seconds(5), drain: .zero, exit: true)))
        await fleet.waitUntil("the agent drops a's stop") {
            log().contains(
                "Dropped a message from the coordinator at \(endpoints[0]), which does not lead for this agent")
        }
        try await Task.sleep(for: .seconds(1))
        #expect(fleet.time("api", "stop-begin") == nil, "the old leader's stop reached the service")

        // The leader forgets the agent: it registers there at once (a leader gets no repeated
        // registration otherwise), its service untouched.
        try b.send(Envelope(id: 201, epoch: 9, message: .error("not registered")))
        try b.send(Self.welcome(try await b.next(where: Self.isRegistration), epoch: 9))
        _ = try await b.next(where: Self.isHeartbeat)

        // The leader stands down: a lost coordinator, the service keeps running.
        try b.send(Envelope(id: 202, epoch: 9, message: .standby(leader: nil, leaderEpoch: nil)))
        let again = try await b.next(where: Self.isRegistration)
        if case .register(_, _, _, let snapshot, _) = again.message, case .ready = snapshot {
        } else {
            Issue.record("the registration after the standby shows no ready service: \(again.message)")
        }
        #expect(log().contains("stood down; registering again, the service keeps running"))
        #expect(fleet.time("api", "stop-begin") == nil)
        #expect(fleet.servicePIDs().count == 1)

        // Welcomed again, the agent obeys b's stop and reports to b.
        try b.send(Self.welcome(again, epoch: 9))
        try b.send(Envelope(id: 203, epoch: 9, message: .stop(timeout: .seconds(5), drain: .zero, exit: true)))
        let report = try await b.nextReport()
        try b.send(Envelope(id: 204, replyTo: report.id, epoch: 9, message: .ack))
        #expect(await fleet.waitForExit(agent) == 0)
        let started = try #require(fleet.time("api", "started"))
        let stopBegan = try #require(fleet.time("api", "stop-begin"))
        #expect(started < stopBegan)
        #expect(fleet.timeline().filter { $0.event == "stop-begin" }.count == 1, "stopped once")
    }

    @Test("An agent of one endpoint answered standby keeps its registration going and starts once welcomed")
    func oneEndpointStandby() async throws {
        let fleet = try Fleet(config: Self.config, secure: false)
        defer { fleet.tearDown() }
        let endpoint = "tcp://127.0.0.1:\(try FreePort.pick())"
        let coordinator = try StandInCoordinator(endpoint: endpoint)
        defer { coordinator.close() }
        let agent = try Self.startAgent(in: fleet, coordinators: [endpoint])
        defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }
        var ids: Set<UInt64> = []
        for offset in 0..<3 {
            let registration = try await coordinator.next(where: Self.isRegistration)
            ids.insert(registration.id)
            try coordinator.send(
                Envelope(
                    id: 300 + UInt64(offset), replyTo: registration.id,
                    message: .standby(leader: "tcp://10.0.0.5:7700", leaderEpoch: 9)))
        }
        #expect(ids.count == 3, "each registration is a new one")
        #expect(fleet.timeline().isEmpty, "nothing started while the coordinator stood by")
        try coordinator.send(Self.welcome(try await coordinator.next(where: Self.isRegistration), epoch: 9))
        try coordinator.send(Envelope(id: 101, epoch: 9, message: .start(readiness: nil, restart: nil)))
        await fleet.waitUntilStarted(["api"])
        try coordinator.send(
            Envelope(id: 102, epoch: 9, message: .stop(timeout: .seconds(5), drain: .zero, exit: true)))
        let report = try await coordinator.nextReport()
        try coordinator.send(Envelope(id: 103, replyTo: report.id, epoch: 9, message: .ack))
        #expect(await fleet.waitForExit(agent) == 0)
        #expect(!fleet.output("agent-api.err").contains("Dropped an unexpected message"))
    }

    @Test(
        "With a key per coordinator, in the order of the endpoints, the agent registers with both; the keys swapped, with neither"
    )
    func keyPerCoordinator() async throws {
        let fleet = try Fleet(config: Self.config, secure: false)
        defer { fleet.tearDown() }
        let keys = fleet.directory.appendingPathComponent("keys").path
        let pairs = try ["coordinator-1", "coordinator-2"].map { name in
            let pair = try CurveKeyPair.generate()
            try CurveCertificate.write(pair, name: name, to: keys)
            return pair
        }
        try CurveCertificate.write(try CurveKeyPair.generate(), name: "api", to: keys)
        let endpoints = try [0, 1].map { _ in "tcp://127.0.0.1:\(try FreePort.pick())" }
        let a = try StandInCoordinator(endpoint: endpoints[0], curve: pairs[0])
        defer { a.close() }
        let b = try StandInCoordinator(endpoint: endpoints[1], curve: pairs[1])
        defer { b.close() }
        let publicKeys = ["\(keys)/coordinator-1.key", "\(keys)/coordinator-2.key"]

        let swapped = try Self.startAgent(
            in: fleet, coordinators: endpoints,
            flags: ["--key", "\(keys)/api.key_secret", "--server-key", publicKeys.reversed().joined(separator: ",")])
        defer { if swapped.isRunning { kill(swapped.processIdentifier, SIGKILL) } }
        await fleet.waitUntil("the agent finds that neither coordinator proves its key") {
            fleet.output("agent-api.err").components(separatedBy: "did not prove the key in --server-key").count > 2
        }
        #expect(try a.poll(milliseconds: 500) == nil && b.poll(milliseconds: 500) == nil, "a handshake passed")
        kill(swapped.processIdentifier, SIGKILL)
        _ = await fleet.waitForExit(swapped)

        let agent = try Self.startAgent(
            in: fleet, coordinators: endpoints,
            flags: ["--key", "\(keys)/api.key_secret", "--server-key", publicKeys.joined(separator: ",")])
        defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }
        _ = try await a.next(where: Self.isRegistration)
        _ = try await b.next(where: Self.isRegistration)
        kill(agent.processIdentifier, SIGTERM)
        #expect(await fleet.waitForExit(agent) == 0, "an agent without a service ends at once on SIGTERM")
    }

    @Test("A count of server keys that differs from the endpoints' is refused, naming the fix")
    func mismatchedKeys() async throws {
        let fleet = try Fleet(config: Self.config, secure: false)
        defer { fleet.tearDown() }
        let key = try CurveKeyPair.generate().publicKey
        let agent = try Self.startAgent(
            in: fleet, coordinators: ["tcp://127.0.0.1:7701", "tcp://127.0.0.1:7702"],
            flags: ["--key", "/nonexistent.key_secret", "--server-key", key])
        #expect(await fleet.waitForExit(agent) == 64)
        #expect(
            fleet.output("agent-api.err").contains(
                "--server-key names 1 key for 2 coordinator endpoints; give one key per --coordinator endpoint"))
    }
}
