import Foundation
import Testing

/// The real binary reading a docker compose file: `quiesce plan --compose` and a fleet run from one.
@Suite("Fleets from docker compose files", .serialized)
struct ComposeTests {
    static let shop = """
        x-quiesce:
          coordinator: { shutdown_timeout: 40s }
        services:
          postgres:
            image: postgres:17
            healthcheck:
              test: ["CMD", "pg_isready", "-U", "postgres"]
            stop_grace_period: 30s
          redis:
            image: redis:7
            healthcheck:
              test: redis-cli ping
          api:
            depends_on:
              postgres: { condition: service_healthy }
              redis: { condition: service_healthy }
              keys: { condition: service_completed_successfully }
          worker:
            depends_on: [api, redis]
          coordinator:
            x-quiesce: false
          keys:
            x-quiesce: false
        """

    @Test("quiesce plan --compose prints the waves of the compose file's managed services")
    func plan() async throws {
        let fleet = try Fleet(config: Self.shop, compose: true)
        defer { fleet.tearDown() }
        let plan = try await fleet.run(["plan", "--compose", fleet.configPath.path], log: "plan")
        #expect(plan.terminationStatus == 0, "\(fleet.output("plan.err"))")
        let lines = fleet.output("plan.out").split(separator: "\n").map(String.init)
        #expect(
            Array(lines.prefix(8)) == [
                "startup waves (a wave starts once the previous one is ready):",
                "  1: postgres, redis",
                "  2: api",
                "  3: worker",
                "shutdown waves (a wave stops once the previous one has stopped):",
                "  1: worker",
                "  2: api",
                "  3: postgres, redis",
            ])
        #expect(lines.contains("shutdown critical path: worker (10s) -> api (10s) -> postgres (30s)"))
        #expect(lines.contains("shutdown worst case: 50s (deadline 40s)"))
    }

    @Test(
        "A compose file that cannot be mapped exits with 78 and FILE:LINE: messages; --config with --compose is a usage error"
    )
    func refusal() async throws {
        let fleet = try Fleet(
            config: """
                services:
                  keys: {}
                  api:
                    depends_on:
                      keys: { condition: service_completed_successfully }
                """, compose: true)
        defer { fleet.tearDown() }
        let path = fleet.configPath.path
        let plan = try await fleet.run(["plan", "--compose", path], log: "plan")
        #expect(plan.terminationStatus == 78)
        #expect(
            fleet.output("plan.err") == """
                \(path):5: service "api" depends on "keys" completing successfully, but Quiesce manages long-running services; \
                mark the one-shot service "keys" x-quiesce: false to leave it to docker compose

                """)
        let coordinator = try await fleet.run(["coordinator", "--compose", path], log: "coordinator")
        #expect(coordinator.terminationStatus == 78)
        let both = try await fleet.run(["plan", "--config", path, "--compose", path], log: "both")
        #expect(both.terminationStatus == 64)
        #expect(fleet.output("both.err").contains("give --config or --compose, not both"))
    }

    /// Database's healthcheck fails until the test creates the file `healthy`, and counts its runs:
    /// api must wait for it however long that takes. (Its `start_period` counts from the spawn, which
    /// no service's timestamp marks: on a loaded machine the shell records `started` late.)
    @Test("A fleet run from a compose file starts and stops in its depends_on order, gated on its healthcheck")
    func fleetFromCompose() async throws {
        let marks = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-health-\(UUID())")
        try FileManager.default.createDirectory(at: marks, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: marks) }
        let checks = marks.appendingPathComponent("checks").path
        let healthy = marks.appendingPathComponent("healthy").path
        let fleet = try Fleet(
            config: """
                x-quiesce:
                  defaults: { stop_timeout: 5s }
                services:
                  keys:
                    image: quiesce
                    x-quiesce: false
                  database:
                    healthcheck:
                      test: ["CMD-SHELL", "echo x >> \(checks); test -e \(healthy)"]
                      interval: 200ms
                      start_period: 1s
                  cache: {}
                  api:
                    depends_on:
                      database: { condition: service_healthy }
                      cache: { condition: service_started }
                      keys: { condition: service_completed_successfully }
                  worker:
                    depends_on: [api, cache]
                """, secure: true, compose: true)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        for (name, stopDelay) in [("database", 0.3), ("cache", 0.1), ("api", 0.5), ("worker", 0.2)] {
            try fleet.startAgent(name, stopDelay: stopDelay)
        }
        await fleet.waitUntil("database's healthcheck failed twice") {
            ((try? String(contentsOfFile: checks, encoding: .utf8)) ?? "").split(separator: "\n").count >= 2
        }
        #expect(fleet.time("api", "started") == nil, "api started before database's healthcheck passed")
        let healthyAt = Date().timeIntervalSince1970
        _ = FileManager.default.createFile(atPath: healthy, contents: nil)
        await fleet.waitUntilStarted(["database", "cache", "api", "worker"])

        #expect(await fleet.shutDown(coordinator) == 0)
        try expectStartedAfter("api", dependencies: ["database", "cache"], in: fleet)
        try expectStartedAfter("worker", dependencies: ["api", "cache"], in: fleet)
        let apiStarted = try #require(fleet.time("api", "started"))
        #expect(apiStarted > healthyAt, "api started before database's healthcheck passed")
        try expectStopped("worker", before: ["api", "cache"], in: fleet)
        try expectStopped("api", before: ["database", "cache"], in: fleet)
        let services = try fleet.report()["services"] as? [[String: Any]] ?? []
        #expect(Set(services.compactMap { $0["service"] as? String }) == ["database", "cache", "api", "worker"])
        #expect(try fleet.report()["clean"] as? Bool == true)
        #expect(fleet.servicePIDs().isEmpty)
    }
}
