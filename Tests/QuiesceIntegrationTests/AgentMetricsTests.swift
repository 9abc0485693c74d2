import Foundation
import Testing

/// The agent's own `GET /metrics` on its health port, read by Prometheus's own parser.
@Suite("Agent metrics", .enabled(if: prometheusClientAvailable))
struct AgentMetricsTests {
    @Test("An agent's /metrics shows its service's state, readiness checks, and its last stop's duration and outcome")
    func scrapedByPrometheus() async throws {
        let healthPort = try FreePort.pick()
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                services:
                  database: {}
                  api: { depends_on: [database] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database", stopDelay: 0.3)
        try fleet.startAgent(
            "api",
            extraArguments: [
                "--health-port", String(healthPort), "--ready-exec", "true", "--ready-interval", "200ms",
            ])
        await fleet.waitUntilStarted(["database", "api"])
        let url = "http://127.0.0.1:\(healthPort)/metrics"
        let service = "service=api"
        var ready: [String: Double] = [:]
        await fleet.waitUntil("api's metrics say ready, after a few checks") {
            ready = (try? scrape(url)) ?? [:]
            return ready["quiesce_agent_service_state{\(service),state=ready}"] == 1
                && (ready["quiesce_agent_readiness_checks_total{\(service)}"] ?? 0) >= 2
        }
        let states = ready.filter { $0.key.hasPrefix("quiesce_agent_service_state{") }
        #expect(states.count == 7 && states.values.reduce(0, +) == 1, "one state at 1: \(states)")
        #expect(ready["quiesce_agent_readiness_checks_failed_total{\(service)}"] == 0)
        #expect(ready["quiesce_agent_restarts_total{\(service)}"] == 0)
        #expect(ready["quiesce_agent_messages_dropped_total{\(service)}"] == 0)
        #expect(!ready.keys.contains { $0.hasPrefix("quiesce_agent_last_stop_duration_seconds") }, "no stop yet")

        // api stops first; its agent stays for a start order, and its endpoint with it.
        let stop = try await fleet.run(["stop", "database", "--coordinator", fleet.endpoint], log: "stop")
        #expect(stop.terminationStatus == 0, "\(fleet.output("stop.err"))")
        let stopped = try scrape(url)
        #expect(stopped["quiesce_agent_service_state{\(service),state=stopped}"] == 1, "\(stopped)")
        let duration = try #require(stopped["quiesce_agent_last_stop_duration_seconds{outcome=stopped,\(service)}"])
        #expect(duration >= 0.1 && duration < 5, "api's stop took its 0.1 s and no timeout: \(duration)")

        #expect(await fleet.shutDown(coordinator) == 0)
    }
}
