import Foundation
import QuiesceCore
import QuiesceWire
import Testing

/// Someone else listening at the agents' coordinator endpoint (a local user who bound the port first,
/// or after the coordinator died), played by a ``StandInCoordinator``: it cannot make a plain agent run
/// a command, nor can an earlier coordinator be obeyed; the real coordinator then runs the fleet as usual.
@Suite("A fake coordinator on the agents' endpoint", .serialized)
struct FakeCoordinatorTests {
    static let config = """
        coordinator: { heartbeat_interval: 200ms, agent_lost_after: 1s }
        defaults: { stop_timeout: 5s }
        services:
          database: {}
          api: { depends_on: [database] }
        """

    /// Whether `envelope` is the registration of `service`'s agent.
    static func isRegistration(of service: String) -> (Envelope) -> Bool {
        { envelope in
            if case .register(let name, _, _, _, _) = envelope.message { name == service } else { false }
        }
    }

    /// A welcome of epoch `epoch` to the registration `registration`: the agent declares this coordinator
    /// lost after 1 s of silence.
    static func welcome(_ registration: Envelope, epoch: UInt64) -> Envelope {
        Envelope(
            id: 100, replyTo: registration.id, epoch: epoch,
            message: .welcome(heartbeatInterval: .milliseconds(200), lostAfter: .seconds(1)))
    }

    @Test(
        "A plain agent refuses an exec or http readiness check from an unauthenticated coordinator; nothing runs, and the real coordinator then starts and stops the fleet in order"
    )
    func execProbeNotRun() async throws {
        let fleet = try Fleet(config: Self.config, secure: false)
        defer { fleet.tearDown() }
        let marker = fleet.directory.appendingPathComponent("owned").path
        let standIn = try StandInCoordinator(endpoint: fleet.endpoint)
        var standInOpen = true
        defer { if standInOpen { standIn.close() } }
        try fleet.startAgent("database")
        let registration = try await standIn.next(where: Self.isRegistration(of: "database"))
        try standIn.send(Self.welcome(registration, epoch: 5))
        let probes: [(flag: String, check: ReadinessProbe.Check)] = [
            ("--ready-exec", .exec(command: "touch \(marker)")), ("--ready-http", .http(url: "http://127.0.0.1:1/")),
        ]
        for (offset, (flag, check)) in probes.enumerated() {
            let probe = ReadinessProbe(check: check, interval: .milliseconds(100))
            try standIn.send(
                Envelope(
                    id: 101 + UInt64(offset), replyTo: registration.id, epoch: 5,
                    message: .start(readiness: probe, restart: nil)))
            let answer = try await standIn.next {
                if case .startFailed = $0.message { true } else { false }
            }
            guard case .startFailed(let reason) = answer.message else { continue }
            #expect(reason.contains(flag) && reason.contains("--server-key"), "\(reason)")
        }
        try await Task.sleep(for: .seconds(1))
        #expect(!FileManager.default.fileExists(atPath: marker), "the agent ran the stand-in's command")
        #expect(fleet.servicePIDs().isEmpty, "the service was started without its check")
        let log = fleet.output("agent-database.err")
        #expect(log.components(separatedBy: "Refused a start order's readiness check").count == 2, "logged once")
        standIn.close()
        standInOpen = false

        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("api")
        await fleet.waitUntilStarted(["database", "api"])
        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStartedAfter("api", dependencies: ["database"], in: fleet)
        try expectStopped("api", before: ["database"], in: fleet)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test(
        "An agent ignores a coordinator whose epoch is lower than the one that welcomed it, keeps its service and registers again; the restarted coordinator adopts the fleet and stops it in order"
    )
    func lowerEpochNotObeyed() async throws {
        let fleet = try Fleet(config: Self.config, secure: false)
        defer { fleet.tearDown() }
        let first = try await fleet.up(["database": 0.1, "api": 0.1])
        kill(first.processIdentifier, SIGKILL)
        _ = await fleet.waitForExit(first)

        let standIn = try StandInCoordinator(endpoint: fleet.endpoint)
        var standInOpen = true
        defer { if standInOpen { standIn.close() } }
        let registration = try await standIn.next(where: Self.isRegistration(of: "database"))
        let seen = try #require(registration.epoch, "a welcomed agent stamps its epoch on its registration")
        let lower = seen - 1
        try standIn.send(Self.welcome(registration, epoch: lower))
        try standIn.send(Envelope(id: 101, replyTo: nil, epoch: lower, message: .kill(exit: true)))
        try standIn.send(Envelope(id: 102, replyTo: nil, epoch: lower, message: .refused(reason: "go away")))
        let again = try await standIn.next(where: Self.isRegistration(of: "database"))
        #expect(again.epoch == seen, "the agent registers again, still of its earlier welcome")
        #expect(fleet.agents["database"]!.isRunning, "the agent obeyed the earlier coordinator's refusal")
        #expect(fleet.servicePIDs().count == 2, "the earlier coordinator's kill was obeyed")
        #expect(fleet.time("database", "stop-begin") == nil)
        #expect(
            fleet.output("agent-database.err").contains("Ignored a message from a coordinator whose epoch is lower"))
        standIn.close()
        standInOpen = false

        let second = try await fleet.startCoordinator()
        await fleet.waitUntil("the restarted coordinator adopted both services") {
            fleet.coordinatorProgress().contains("database already running and ready: adopted")
                && fleet.coordinatorProgress().contains("api already running and ready: adopted")
        }
        #expect(await fleet.shutDown(second) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test("With --accept-lower-epoch an agent obeys a coordinator whose epoch is lower than the one it saw")
    func lowerEpochAcceptedOnRequest() async throws {
        let fleet = try Fleet(config: Self.config, secure: false)
        defer { fleet.tearDown() }
        let standIn = try StandInCoordinator(endpoint: fleet.endpoint)
        defer { standIn.close() }
        let agent = try fleet.startAgent("database", extraArguments: ["--accept-lower-epoch"])
        let registration = try await standIn.next(where: Self.isRegistration(of: "database"))
        try standIn.send(Self.welcome(registration, epoch: 9))
        try standIn.send(
            Envelope(id: 101, replyTo: nil, epoch: 9, message: .start(readiness: nil, restart: nil)))
        _ = try await standIn.next { if case .ready = $0.message { true } else { false } }
        // Silent for longer than lost_after: the agent registers again, with its epoch.
        let again = try await standIn.next(where: Self.isRegistration(of: "database"))
        #expect(again.epoch == 9)
        try standIn.send(Self.welcome(again, epoch: 3))
        try standIn.send(Envelope(id: 102, replyTo: nil, epoch: 3, message: .kill(exit: true)))
        let report = try await standIn.nextReport()
        #expect(report.replyTo == 102 && report.epoch == 3, "the kill of epoch 3 is answered in epoch 3")
        try standIn.send(Envelope(id: 103, replyTo: report.id, epoch: 3, message: .ack))
        #expect(await fleet.waitForExit(agent) != nil)
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test(
        "With keys the coordinator's exec check runs; without them the start fails naming --ready-exec, and with --ready-exec it runs"
    )
    func configuredExecCheck() async throws {
        for (secure, agentFlags) in [(true, [String]()), (false, []), (false, ["--ready-exec"])] {
            let marker = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-\(UUID().uuidString)")
                .path
            defer { try? FileManager.default.removeItem(atPath: marker) }
            let check = "touch \(marker)"
            let fleet = try Fleet(
                config: """
                    defaults: { stop_timeout: 5s, start_timeout: 20s }
                    services:
                      database: { readiness: { exec: "\(check)", interval: 100ms } }
                      api: { depends_on: [database] }
                    """, secure: secure)
            defer { fleet.tearDown() }
            let coordinator = try await fleet.startCoordinator()
            let flags = agentFlags.isEmpty ? [] : agentFlags + [check, "--ready-interval", "100ms"]
            try fleet.startAgent("database", extraArguments: flags)
            try fleet.startAgent("api")
            if secure || !agentFlags.isEmpty {
                await fleet.waitUntilStarted(["database", "api"])
                #expect(FileManager.default.fileExists(atPath: marker), "the check did not run")
                #expect(await fleet.shutDown(coordinator) == 0)
                try expectStopped("api", before: ["database"], in: fleet)
            } else {
                #expect(await fleet.waitForExit(coordinator) == 2)
                let failure = try #require(try fleet.report()["startup_failure"] as? String)
                #expect(failure.contains("service \"database\" failed to start: the agent does not run an exec"))
                #expect(failure.contains("--ready-exec"))
                #expect(!FileManager.default.fileExists(atPath: marker))
                #expect(fleet.time("api", "started") == nil)
            }
            #expect(fleet.servicePIDs().isEmpty)
        }
    }
}
