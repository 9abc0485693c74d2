import Foundation
import QuiesceTestSupport
import Testing

/// Services of several instances with the real binary: db (3 instances) and api (2) on db, five
/// agents, each instance's child recording its timestamps as `SERVICE/INSTANCE`.
@Suite("Services of several instances", .serialized)
struct InstanceFleetTests {
    static let db = ["db/a", "db/b", "db/c"]
    static let api = ["api/x", "api/y"]

    static func config(minReady: Int) -> String {
        """
        coordinator: { shutdown_timeout: 60s }
        defaults: { stop_timeout: 5s }
        services:
          db: { instances: 3, min_ready: \(minReady) }
          api: { depends_on: [db], instances: 2, stop_timeout: 30s }
        """
    }

    /// Starts the coordinator and the five agents, and waits until every instance has started.
    static func up(_ fleet: Fleet, apiStopDelay: Double = 0.3) async throws -> ChildProcess {
        let coordinator = try await fleet.startCoordinator()
        for label in db {
            let parts = label.split(separator: "/").map(String.init)
            try fleet.startInstance(parts[0], parts[1], stopDelay: 0.2)
        }
        for label in api {
            let parts = label.split(separator: "/").map(String.init)
            try fleet.startInstance(parts[0], parts[1], stopDelay: apiStopDelay)
        }
        await fleet.waitUntilStarted(db + api)
        return coordinator
    }

    @Test("Every db instance starts before any api instance; every api instance stops before any db instance")
    func orderedPerInstance() async throws {
        let fleet = try Fleet(config: Self.config(minReady: 2))
        defer { fleet.tearDown() }
        let coordinator = try await Self.up(fleet)

        // api's start order follows db's readiness, which needs every db instance ready.
        let output = fleet.coordinatorProgress()
        let dbReady = try #require(output.range(of: "db ready ("), "db never ready")
        let apiOrdered = try #require(output.range(of: "startup wave 2/2: starting api"), "api never ordered")
        #expect(dbReady.lowerBound < apiOrdered.lowerBound, "api was ordered to start before db was ready")
        #expect(
            output[..<dbReady.lowerBound].components(separatedBy: "agent connected: db (").count - 1 == 3,
            "db was ready before all three of its instances had registered")

        #expect(await fleet.shutDown(coordinator) == 0)
        let apiStopped = try Self.api.map { try #require(fleet.time($0, "stop-end")) }
        let dbStopping = try Self.db.map { try #require(fleet.time($0, "stop-begin")) }
        #expect(apiStopped.max()! < dbStopping.min()!, "a db instance began to stop while an api instance ran")
        let apiEntry = try fleet.reportEntry("api")
        let instances = apiEntry["instances"] as? [[String: Any]] ?? []
        #expect(Set(instances.compactMap { $0["instance"] as? String }) == ["x", "y"], "in the order they registered")
        #expect(instances.allSatisfy { $0["outcome"] as? String == "stopped" })
        #expect((try fleet.reportEntry("db")["instances"] as? [[String: Any]])?.count == 3)
        for (label, agent) in fleet.agents {
            #expect(await fleet.waitForExit(agent) == 0, "agent \(label) exits with its child's status")
        }
        #expect(fleet.servicePIDs().isEmpty)
    }

    @Test("db instances leaving one by one leave api running while one is ready; the last stops api first")
    func instancesLeaving() async throws {
        let fleet = try Fleet(config: Self.config(minReady: 1))
        defer { fleet.tearDown() }
        let coordinator = try await Self.up(fleet)

        for label in ["db/a", "db/b"] {
            kill(fleet.agents[label]!.processIdentifier, SIGTERM)
            #expect(await fleet.waitForExit(fleet.agents[label]!) == 0, "\(label)'s agent exits once it stopped")
            #expect(fleet.time(label, "stop-end") != nil)
            #expect(Self.api.allSatisfy { fleet.time($0, "stop-begin") == nil }, "api stopped for \(label)")
        }
        let status = try await fleet.run(["status", "--coordinator", fleet.endpoint, "--json"], log: "status")
        #expect(status.terminationStatus == 0)
        let document = try JSONSerialization.jsonObject(with: Data(fleet.output("status.out").utf8)) as? [String: Any]
        let rows = document?["services"] as? [[String: Any]] ?? []
        #expect(rows.first { $0["service"] as? String == "db" }?["ready_count"] as? Int == 1)
        #expect(rows.first { $0["service"] as? String == "api" }?["ready_count"] as? Int == 2)
        #expect(rows.first { $0["service"] as? String == "api" }?["state"] as? String == "ready")

        // The last db instance leaving would leave api without a ready db: api stops first.
        kill(fleet.agents["db/c"]!.processIdentifier, SIGTERM)
        #expect(await fleet.waitForExit(fleet.agents["db/c"]!) == 0)
        let apiStopped = try Self.api.map { try #require(fleet.time($0, "stop-end")) }
        let lastBegin = try #require(fleet.time("db/c", "stop-begin"))
        #expect(apiStopped.max()! < lastBegin, "db/c began to stop while api ran")

        _ = await fleet.shutDown(coordinator)
    }

    @Test("An api instance lost in the middle of its wave is reported lost, and db is stopped after it")
    func lostMidWave() async throws {
        let fleet = try Fleet(config: Self.config(minReady: 2))
        defer { fleet.tearDown() }
        // api's instances take 8 s to stop, less than their stop timeout: api/y's agent is killed
        // while it stops, and found lost (agent_lost_after, 5 s) while api/x still stops.
        let coordinator = try await Self.up(fleet, apiStopDelay: 8)
        kill(coordinator.processIdentifier, SIGTERM)
        await fleet.waitUntil("api/y begins to stop") { fleet.time("api/y", "stop-begin") != nil }
        kill(fleet.agents["api/y"]!.processIdentifier, SIGKILL)
        await fleet.waitUntil("api/y's agent is declared lost", timeout: .seconds(30)) {
            fleet.coordinatorProgress().contains("agent lost: api, instance y")
        }
        #expect(await fleet.waitForExit(coordinator, timeout: .seconds(60)) == 1, "a lost instance is not clean")
        let instances = try fleet.reportEntry("api")["instances"] as? [[String: Any]] ?? []
        #expect(instances.first { $0["instance"] as? String == "y" }?["outcome"] as? String == "lost")
        #expect(Self.db.allSatisfy { fleet.time($0, "stop-end") != nil }, "the wave went on to db")
    }
}
