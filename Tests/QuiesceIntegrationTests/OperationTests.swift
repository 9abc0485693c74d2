import Foundation
import Testing

/// Targeted stop, start and restart, and the agent's own SIGTERM, on a running fleet.
@Suite("Targeted operations", .serialized)
struct OperationTests {
    static let config = """
        defaults: { stop_timeout: 5s }
        services:
          database: {}
          cache: {}
          api: { depends_on: [database, cache] }
        """

    @Test("stop, start and restart a service: dependents first on the way down, dependencies first on the way up")
    func stopStartRestart() async throws {
        let fleet = try Fleet(config: Self.config)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 0.2, "cache": 0.1, "api": 0.3])

        let stop = try await fleet.run(["stop", "database", "--coordinator", fleet.endpoint], log: "stop")
        #expect(stop.terminationStatus == 0)
        try expectStopped("api", before: ["database"], in: fleet)
        #expect(fleet.time("cache", "stop-begin") == nil, "cache does not depend on database and keeps running")
        #expect(fleet.output("stop.out").contains("result: clean, exit code 0"))
        #expect(fleet.agents["api"]!.isRunning && fleet.agents["database"]!.isRunning, "the agents stay to start again")

        let start = try await fleet.run(["start", "api", "--coordinator", fleet.endpoint], log: "start")
        #expect(start.terminationStatus == 0)
        let startLines = fleet.output("start.out").split(separator: "\n").map(String.init)
        let databaseReady = try #require(startLines.firstIndex { $0.hasPrefix("database ready") })
        let apiOrdered = try #require(startLines.firstIndex { $0 == "startup wave 2/2: starting api" })
        #expect(databaseReady < apiOrdered, "api was started before database was ready again")
        #expect(!startLines.contains { $0.hasPrefix("SERVICE") }, "a start stops nothing: no table of stops")
        await fleet.waitUntil("database and api run again") {
            fleet.timeline().filter { $0.event == "started" }.count == 5
        }
        #expect(
            fleet.timeline().filter { $0.service == "cache" && $0.event == "started" }.count == 1,
            "cache was never stopped")

        let restart = try await fleet.run(["restart", "cache", "--coordinator", fleet.endpoint], log: "restart")
        #expect(restart.terminationStatus == 0)
        #expect(fleet.output("restart.out").contains("restart cache: stopped api, cache; starting them again"))
        let cacheStops = fleet.timeline().filter { $0.service == "cache" && $0.event == "stop-begin" }
        let apiEnds = fleet.timeline().filter { $0.service == "api" && $0.event == "stop-end" }
        #expect(cacheStops.count == 1 && apiEnds.count == 2)
        #expect(apiEnds.last!.time < cacheStops[0].time, "cache stopped while api was still running")

        #expect(await fleet.shutDown(coordinator) == 0)
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test("SIGTERM to one agent stops its dependents first, then its service; the rest keeps running")
    func agentSigtermIsCoordinated() async throws {
        let fleet = try Fleet(config: Self.config)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 0.2, "cache": 0.1, "api": 0.5])

        let database = try #require(fleet.agents["database"])
        kill(database.processIdentifier, SIGTERM)
        #expect(await fleet.waitForExit(database) == 0, "the agent exits with its service's status once stopped")

        try expectStopped("api", before: ["database"], in: fleet)
        #expect(fleet.time("cache", "stop-begin") == nil)
        #expect(fleet.agents["api"]!.isRunning, "api's agent waits to start api again")
        #expect(fleet.coordinatorProgress().contains("stop database (asked by its agent): begins"))
        #expect(coordinator.isRunning)
        #expect(
            await fleet.shutDown(coordinator) == 0, "api and database stopped in order before: nothing left to stop")
        #expect(try fleet.reportEntry("database")["outcome"] as? String == "stopped_earlier")
        #expect(try fleet.reportEntry("api")["outcome"] as? String == "stopped_earlier")
        #expect(try fleet.reportEntry("cache")["outcome"] as? String == "stopped")
        #expect(await fleet.waitForExit(fleet.agents["api"]!) == 0, "api's agent was told to exit")
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test("An agent whose coordinator does not answer stops its service locally after the timeout")
    func coordinatedStopFallsBack() async throws {
        let fleet = try Fleet(config: "services: { cache: {} }")
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        let cache = try fleet.startAgent(
            "cache", stopDelay: 0.1, extraArguments: ["--coordinated-stop-timeout", "500ms"])
        await fleet.waitUntilStarted(["cache"])
        kill(coordinator.processIdentifier, SIGSTOP)
        defer { kill(coordinator.processIdentifier, SIGCONT) }

        kill(cache.processIdentifier, SIGTERM)
        #expect(await fleet.waitForExit(cache) == 0)
        #expect(fleet.time("cache", "stop-end") != nil)
        #expect(
            fleet.output("agent-cache.err").contains(
                "The coordinator did not order the stop in time; stopping the service locally"))
    }
}
