import Foundation
import Testing

/// The coordinator and each agent on hosts of their own (network namespaces), with faults injected:
/// an agent killed mid-wave, a host cut off and plugged back, packet loss. Each scenario checks the
/// ordering promise from the children's timestamps, that every service ends in a reported state, and
/// that the coordinator ends within its deadline.
@Suite("Several hosts with faults", .serialized, .enabled(if: NetworkLab.isAvailable))
struct MultiHostTests {
    /// web → api → database, each on its own host.
    static let services = ["database", "api", "web"]
    static let dependencies = ["api": ["database"], "web": ["api"]]

    static func config(lostAfter: String = "5s", databaseWaits: Bool = false, apiStopTimeout: String = "8s") -> String {
        """
        coordinator: { shutdown_timeout: 30s, heartbeat_interval: 200ms, agent_lost_after: \(lostAfter) }
        defaults: { stop_timeout: 8s }
        services:
          database: { on_unreachable: \(databaseWaits ? "wait" : "proceed") }
          api: { depends_on: [database], stop_timeout: \(apiStopTimeout) }
          web: { depends_on: [api] }
        """
    }

    /// A lab with a host for the coordinator and one per service, and a fleet placed on it.
    static func makeFleet(lostAfter: String = "5s", databaseWaits: Bool = false, apiStopTimeout: String = "8s")
        throws -> (NetworkLab, Fleet)
    {
        let lab = try NetworkLab(hosts: ["coordinator"] + services)
        let placement = Dictionary(uniqueKeysWithValues: (["coordinator"] + services).map { ($0, lab.placement($0)) })
        let fleet = try Fleet(
            config: config(lostAfter: lostAfter, databaseWaits: databaseWaits, apiStopTimeout: apiStopTimeout),
            endpoint: "tcp://\(lab.hosts["coordinator"]!.address):7700", placement: placement)
        return (lab, fleet)
    }

    @Test("An agent killed while its service stops is reported lost, its process dies with it, and the next wave runs")
    func agentKilledMidWave() async throws {
        // agent_lost_after stays at 5 s: a loaded machine can leave a live agent unscheduled for a
        // second, and a shorter bound declares database or web lost too. api ignores SIGTERM, so
        // its stop lasts until its agent is killed, however late the test sees it begin; its stop
        // timeout of 20 s leaves the kill 15 s to come before api would be timed out instead of lost
        // (at the start of a parallel test run, seeing the stop begin took more than 3 s).
        let (lab, fleet) = try Self.makeFleet(apiStopTimeout: "20s")
        defer {
            fleet.tearDown()
            lab.tearDown()
        }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database", stopDelay: 0.2)
        try fleet.startAgent("api", ignoresTerm: true)
        try fleet.startAgent("web", stopDelay: 0.2)
        await fleet.waitUntilStarted(Self.services)
        let started = Date()
        kill(coordinator.processIdentifier, SIGTERM)
        await fleet.waitUntil("api is stopping") { fleet.time("api", "stop-begin") != nil }
        kill(fleet.agents["api"]!.processIdentifier, SIGKILL)

        #expect(await fleet.waitForExit(coordinator) == 1)
        #expect(Date().timeIntervalSince(started) < 30 + 5)
        #expect(try fleet.reportEntry("api")["outcome"] as? String == "lost", "\(fleet.coordinatorProgress())")
        #expect(try fleet.reportEntry("database")["outcome"] as? String == "stopped")
        try expectPromisesKept(fleet)
        await fleet.waitUntil("no service process is left") { fleet.servicePIDs().isEmpty }
    }

    @Test("A host cut off during an earlier wave and plugged back in time is stopped in its own wave")
    func partitionHealedBeforeItsWave() async throws {
        // Cut off for 1.5 s, database's agent is heard again when TCP retransmits after the heal
        // (0.2 s, 0.4 s, 0.8 s, 1.6 s apart) or, past its ZMTP heartbeat's 3 s, once it has
        // reconnected: 3 to 4 s of silence on an idle machine. agent_lost_after of 10 s leaves room
        // for a loaded one, whose heal itself comes late.
        let (lab, fleet) = try Self.makeFleet(lostAfter: "10s")
        defer {
            fleet.tearDown()
            lab.tearDown()
        }
        let coordinator = try await fleet.up(["database": 0.2, "api": 0.2, "web": 3.0])
        kill(coordinator.processIdentifier, SIGTERM)
        await fleet.waitUntil("web is stopping") { fleet.time("web", "stop-begin") != nil }
        try lab.partition("database")
        try await Task.sleep(for: .milliseconds(1500))
        try lab.heal("database")

        #expect(await fleet.waitForExit(coordinator) == 0, "\(fleet.coordinatorProgress())")
        #expect(try fleet.report()["clean"] as? Bool == true)
        try expectPromisesKept(fleet)
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test(
        "A host cut off is reported lost after its dependents stopped, the shutdown still ends, and the service is recovered later"
    )
    func partitionNotHealed() async throws {
        let (lab, fleet) = try Self.makeFleet(lostAfter: "1s")
        defer {
            fleet.tearDown()
            lab.tearDown()
        }
        let coordinator = try await fleet.up(["database": 0.2, "api": 0.5, "web": 0.2])
        try lab.partition("database")
        let started = Date()
        kill(coordinator.processIdentifier, SIGTERM)

        #expect(await fleet.waitForExit(coordinator) == 1)
        #expect(Date().timeIntervalSince(started) < 30 + 5)
        #expect(try fleet.reportEntry("database")["outcome"] as? String == "lost")
        try expectPromisesKept(fleet)
        // The documented default: an agent cut off from its coordinator keeps its service running.
        #expect(fleet.time("database", "stop-begin") == nil)

        // Recovery: once the host is back, a coordinator started again adopts the service and stops it.
        try lab.heal("database")
        let second = try await fleet.startCoordinator()
        await fleet.waitUntil("the new coordinator adopted database") {
            fleet.coordinatorProgress().contains("database already running and ready: adopted")
        }
        #expect(await fleet.shutDown(second) == 1, "api and web have no agents any more")
        #expect(fleet.time("database", "stop-end") != nil)
        await fleet.waitUntil("no service process is left") { fleet.servicePIDs().isEmpty }
    }

    @Test("With on_unreachable: wait, a host cut off past agent_lost_after is waited for and stopped once it is back")
    func waitForUnreachable() async throws {
        let (lab, fleet) = try Self.makeFleet(lostAfter: "1s", databaseWaits: true)
        defer {
            fleet.tearDown()
            lab.tearDown()
        }
        let coordinator = try await fleet.up(["database": 0.2, "api": 0.2, "web": 0.2])
        try lab.partition("database")
        kill(coordinator.processIdentifier, SIGTERM)
        await fleet.waitUntil("the coordinator waits for database") {
            fleet.coordinatorProgress().contains("database unreachable: waiting for it until the deadline")
        }
        try lab.heal("database")

        #expect(await fleet.waitForExit(coordinator) == 0)
        #expect(try fleet.reportEntry("database")["outcome"] as? String == "stopped")
        try expectPromisesKept(fleet)
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test(
        "25 % packet loss on every host slows the shutdown but keeps its order", .enabled(if: NetworkLab.nftAvailable))
    func packetLoss() async throws {
        // TCP's retransmission backoff under this loss can silence a connection for several seconds:
        // agent_lost_after leaves room for it, as a deployment on such a network would.
        let (lab, fleet) = try Self.makeFleet(lostAfter: "20s")
        defer {
            fleet.tearDown()
            lab.tearDown()
        }
        let coordinator = try await fleet.up(["database": 0.2, "api": 0.3, "web": 0.2])
        for host in ["coordinator"] + Self.services { try lab.loss(host, percent: 25) }
        kill(coordinator.processIdentifier, SIGTERM)

        #expect(await fleet.waitForExit(coordinator, timeout: .seconds(60)) == 0, "\(fleet.coordinatorProgress())")
        try expectPromisesKept(fleet)
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test(
        "A frozen agent (SIGSTOP) is declared lost, the shutdown goes on without it, and once thawed it is told to stand down"
    )
    func frozenAgent() async throws {
        let (lab, fleet) = try Self.makeFleet(lostAfter: "1s")
        defer {
            fleet.tearDown()
            lab.tearDown()
        }
        let coordinator = try await fleet.up(["database": 0.2, "api": 3.0, "web": 0.2])
        let web = try #require(fleet.agents["web"])
        kill(web.processIdentifier, SIGSTOP)
        let started = Date()
        kill(coordinator.processIdentifier, SIGTERM)
        await fleet.waitUntil("web is declared lost and api is stopping") {
            fleet.coordinatorProgress().contains("agent lost: web") && fleet.time("api", "stop-begin") != nil
        }
        kill(web.processIdentifier, SIGCONT)

        #expect(await fleet.waitForExit(coordinator) == 1)
        #expect(Date().timeIntervalSince(started) < 30 + 5)
        #expect(try fleet.reportEntry("web")["outcome"] as? String == "lost")
        try expectPromisesKept(fleet)
        await fleet.waitUntil("no service process is left") { fleet.servicePIDs().isEmpty }
    }

    @Test("A coordinator killed in the middle of a shutdown and started again on its host resumes it in order")
    func coordinatorKilledMidShutdown() async throws {
        let (lab, fleet) = try Self.makeFleet(lostAfter: "2s")
        defer {
            fleet.tearDown()
            lab.tearDown()
        }
        let stateDirectory = fleet.directory.appendingPathComponent("state").path
        let first = try await fleet.startCoordinator(extraArguments: ["--json", "--state-dir", stateDirectory])
        for (name, delay) in [("database", 0.2), ("api", 3.0), ("web", 0.2)] {
            try fleet.startAgent(name, stopDelay: delay)
        }
        await fleet.waitUntilStarted(Self.services)
        kill(first.processIdentifier, SIGTERM)
        await fleet.waitUntil("api is stopping") { fleet.time("api", "stop-begin") != nil }
        kill(first.processIdentifier, SIGKILL)
        _ = await fleet.waitForExit(first)

        let second = try await fleet.startCoordinator(extraArguments: ["--json", "--state-dir", stateDirectory])
        #expect(await fleet.waitForExit(second, timeout: .seconds(60)) == 0)
        try expectPromisesKept(fleet)
        await fleet.waitUntil("no service process is left") { fleet.servicePIDs().isEmpty }
    }

    /// Every service is in the report, and no service began to stop before each of its dependents had
    /// stopped, unless the report gave that dependent up (lost, timed out, killed).
    func expectPromisesKept(_ fleet: Fleet, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let entries = try fleet.report()["services"] as? [[String: Any]] ?? []
        #expect(
            Set(entries.compactMap { $0["service"] as? String }) == Set(Self.services), sourceLocation: sourceLocation)
        let givenUp = Set(
            entries.filter {
                ["lost", "timed_out", "killed_at_deadline", "killed_on_escalation"].contains($0["outcome"] as? String)
            }
            .compactMap { $0["service"] as? String })
        for (dependent, dependencies) in Self.dependencies where !givenUp.contains(dependent) {
            for dependency in dependencies {
                guard let begin = fleet.time(dependency, "stop-begin") else { continue }
                let end = try #require(
                    fleet.time(dependent, "stop-end"), "\(dependent) never finished stopping",
                    sourceLocation: sourceLocation)
                #expect(
                    end < begin, "\(dependency) began stopping before \(dependent) had stopped",
                    sourceLocation: sourceLocation)
            }
        }
    }
}
