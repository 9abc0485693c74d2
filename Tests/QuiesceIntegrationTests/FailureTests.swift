import Foundation
import Testing

/// What happens when services, agents and configurations misbehave.
@Suite("Failures during shutdown and registration", .serialized)
struct FailureTests {
    @Test("A child that ignores SIGTERM is killed after its timeout, reported, and the next wave still runs")
    func childIgnoringSigterm() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                services:
                  database: {}
                  worker: { depends_on: [database], stop_timeout: 1s }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database", stopDelay: 0.1)
        let worker = try fleet.startAgent("worker", ignoresTerm: true)
        await fleet.waitUntilStarted(["database", "worker"])

        #expect(await fleet.shutDown(coordinator) == 1)
        #expect(try fleet.reportEntry("worker")["outcome"] as? String == "killed_after_timeout")
        #expect(try fleet.reportEntry("database")["outcome"] as? String == "stopped")
        // The worker's shell records `stop-begin` when it is scheduled, which on a loaded machine is
        // later than the SIGTERM from which its stop timeout runs: the coordinator's own measure of the
        // stop, from order to report, shows the timeout ran out before database's wave.
        let workerSignalled = try #require(fleet.time("worker", "stop-begin"))
        let databaseBegin = try #require(fleet.time("database", "stop-begin"))
        #expect(databaseBegin > workerSignalled, "database stopped before worker")
        let workerStop = try #require(try fleet.reportEntry("worker")["duration_seconds"] as? Double)
        #expect(workerStop >= 1, "worker's stop ended before its 1 s stop timeout ran out")
        #expect(await fleet.waitForExit(worker) == 137)
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test("An agent killed with SIGKILL before the shutdown is reported lost, its child dies, the shutdown completes")
    func agentKilledBeforeShutdown() async throws {
        let fleet = try Fleet(
            config: """
                coordinator: { heartbeat_interval: 200ms, agent_lost_after: 1s }
                defaults: { stop_timeout: 5s }
                services:
                  database: {}
                  api: { depends_on: [database] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database", stopDelay: 0.1)
        let api = try fleet.startAgent("api", stopDelay: 0.1)
        await fleet.waitUntilStarted(["database", "api"])
        kill(api.processIdentifier, SIGKILL)
        await fleet.waitUntil("the coordinator reports api lost") {
            fleet.coordinatorProgress().contains("agent lost: api")
        }

        #expect(await fleet.shutDown(coordinator) == 1)
        #expect(try fleet.reportEntry("api")["outcome"] as? String == "lost")
        #expect(try fleet.reportEntry("database")["outcome"] as? String == "stopped")
        await fleet.waitUntil("no service process is left") { fleet.servicePIDs().isEmpty }
    }

    @Test("The shutdown deadline kills what is still running and the report names it")
    func shutdownDeadline() async throws {
        let fleet = try Fleet(
            config: """
                coordinator: { shutdown_timeout: 1500ms }
                defaults: { stop_timeout: 30s }
                services:
                  database: {}
                  api: { depends_on: [database] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database", stopDelay: 0.1)
        try fleet.startAgent("api", ignoresTerm: true)
        await fleet.waitUntilStarted(["database", "api"])

        #expect(await fleet.shutDown(coordinator) == 3)
        let report = try fleet.report()
        #expect(report["termination"] as? String == "deadline")
        #expect(report["still_running_when_killed"] as? [String] == ["api", "database"])
        await fleet.waitUntil("no service process is left") { fleet.servicePIDs().isEmpty }
    }

    @Test("A second SIGTERM during the shutdown kills every remaining service at once")
    func secondSignalEscalates() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 30s }
                services:
                  database: {}
                  api: { depends_on: [database] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database", stopDelay: 0.1)
        try fleet.startAgent("api", ignoresTerm: true)
        await fleet.waitUntilStarted(["database", "api"])
        kill(coordinator.processIdentifier, SIGTERM)
        await fleet.waitUntil("api was asked to stop") { fleet.time("api", "stop-begin") != nil }
        kill(coordinator.processIdentifier, SIGTERM)

        #expect(await fleet.waitForExit(coordinator, timeout: .seconds(15)) == 3)
        #expect(try fleet.report()["termination"] as? String == "escalated")
        #expect(try fleet.reportEntry("api")["outcome"] as? String == "killed_on_escalation")
        await fleet.waitUntil("no service process is left") { fleet.servicePIDs().isEmpty }
    }

    @Test("A service that fails to start keeps its dependents from starting, and what started is stopped")
    func startupFailure() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s, start_timeout: 10s }
                services:
                  database: {}
                  migrations: { depends_on: [database] }
                  api: { depends_on: [migrations] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database", stopDelay: 0.1)
        try fleet.startAgent("api")
        await fleet.waitUntil("api's agent is connected") {
            fleet.coordinatorProgress().contains("agent connected: api")
        }
        try fleet.startAgent("migrations", command: ["/nonexistent/migrate"])

        #expect(await fleet.waitForExit(coordinator) == 2)
        let report = try fleet.report()
        let failure = try #require(report["startup_failure"] as? String)
        #expect(
            failure.contains(
                "service \"migrations\" failed to start: cannot start \"/nonexistent/migrate\": No such file or directory"
            ))
        #expect(failure.contains("not started: api"))
        #expect(fleet.time("api", "started") == nil)
        #expect(fleet.time("database", "stop-end") != nil)
        #expect(try fleet.reportEntry("api")["outcome"] as? String == "not_started")
        #expect(await fleet.waitForExit(fleet.agents["migrations"]!) == 127)
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test("A service whose process ended on its own is reported as already exited, without holding up the shutdown")
    func serviceExitedBeforeShutdown() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 10s }
                services:
                  database: {}
                  api: { depends_on: [database] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database", stopDelay: 0.1)
        let api = try fleet.startAgent("api", command: ["/bin/sh", "-c", "sleep 0.5; exit 4"])
        await fleet.waitUntil("the coordinator saw api exit") {
            fleet.coordinatorProgress().contains("api exited on its own (exit code 4)")
        }

        #expect(await fleet.shutDown(coordinator, timeout: .seconds(8)) == 1)
        #expect(try fleet.reportEntry("api")["outcome"] as? String == "already_exited")
        #expect(try fleet.reportEntry("database")["outcome"] as? String == "stopped")
        #expect(fleet.coordinatorProgress().components(separatedBy: "api exited on its own").count == 2)
        #expect(await fleet.waitForExit(api) == 4)
    }

    @Test("An agent with a name the graph does not know is refused, with a clear error on both sides")
    func unknownAgentRefused() async throws {
        // Plain: with security on, an agent without a key for its name cannot even connect.
        let fleet = try Fleet(
            config: """
                services:
                  database: {}
                """, secure: false)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        let stranger = try fleet.startAgent("databse")

        #expect(await fleet.waitForExit(stranger) == 78)
        #expect(
            fleet.output("agent-databse.err").contains(
                "service \"databse\" is not in the coordinator's configuration (did you mean \"database\"?)"))
        #expect(fleet.output("coordinator.err").contains("Agent refused"))
        #expect(fleet.time("databse", "started") == nil)
        #expect(await fleet.shutDown(coordinator) == 1, "database never had an agent")
    }

    @Test("An agent restarted before it could be declared lost takes its place at once, and its service runs again")
    func restartedAgentReplacesItsClosedConnection() async throws {
        let fleet = try Fleet(
            config: """
                coordinator: { heartbeat_interval: 20s, agent_lost_after: 60s, agent_suspect_after: 30s }
                services:
                  database: {}
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        let first = try fleet.startAgent("database")
        await fleet.waitUntilStarted(["database"])
        kill(first.processIdentifier, SIGKILL)
        _ = await fleet.waitForExit(first)
        try fleet.startAgent("database")
        await fleet.waitUntil("database started again") {
            fleet.timeline().filter { $0.service == "database" && $0.event == "started" }.count == 2
        }
        #expect(fleet.output("coordinator.err").contains("Agent connection closed; waiting for it to register again"))
        #expect(await fleet.shutDown(coordinator) == 0)
        #expect(try fleet.reportEntry("database")["outcome"] as? String == "stopped")
    }

    @Test("A second agent claiming a connected name is refused")
    func duplicateAgentRefused() async throws {
        let fleet = try Fleet(
            config: """
                services:
                  database: {}
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database")
        await fleet.waitUntilStarted(["database"])
        let second = try await fleet.run(
            ["agent", "--name", "database", "--coordinator", fleet.endpoint, "--", "/bin/true"], log: "second")

        #expect(second.terminationStatus == 78)
        #expect(fleet.output("second.err").contains("already connected"))
        #expect(await fleet.shutDown(coordinator) == 0)
    }

    @Test("A configuration with a cycle is refused with the cycle's path, and nothing starts")
    func cycleRefused() async throws {
        let fleet = try Fleet(
            config: """
                services:
                  api: { depends_on: [worker] }
                  worker: { depends_on: [api] }
                """)
        defer { fleet.tearDown() }
        let plan = try await fleet.run(
            ["plan", "--config", fleet.directory.appendingPathComponent("quiesce.yaml").path], log: "plan")
        let coordinator = try await fleet.startCoordinator()

        #expect(plan.terminationStatus == 78)
        #expect(fleet.output("plan.err").contains("quiesce.yaml:2: dependency cycle: api -> worker -> api"))
        #expect(await fleet.waitForExit(coordinator) == 78)
        #expect(fleet.output("coordinator.err").contains("dependency cycle: api -> worker -> api"))
    }
}
