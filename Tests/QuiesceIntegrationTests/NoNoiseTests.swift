import Foundation
import Testing

/// What the coordinator does not print: suspicion of agents that exited as they were told.
@Suite("No noise")
struct NoNoiseTests {
    @Test("An agent that exits after its stop is not called suspect while a later wave still stops")
    func noSuspectAfterStop() async throws {
        let fleet = try Fleet(
            config: """
                coordinator: { heartbeat_interval: 100ms, agent_suspect_after: 300ms, agent_lost_after: 10s }
                defaults: { stop_timeout: 10s }
                services:
                  database: {}
                  api: { depends_on: [database] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 2.0, "api": 0.1])
        #expect(await fleet.shutDown(coordinator) == 0)
        let apiExited = try #require(fleet.agents["api"])
        #expect(await fleet.waitForExit(apiExited) == 0)
        let progress = fleet.coordinatorProgress()
        #expect(progress.contains("database stopped"))
        // Before its stop a loaded machine may delay any agent past 300 ms; after it, api is gone on purpose.
        let afterStop = try #require(progress.range(of: "api stopped").map { progress[$0.upperBound...] })
        #expect(!afterStop.contains("agent suspect (silent): api"), "\(progress)")
        #expect(progress.contains("startup complete in") && progress.contains("waiting for agents"))
        let database = try #require(fleet.time("database", "stop-end"))
        let api = try #require(fleet.time("api", "stop-end"))
        #expect(database - api > 1, "api's agent was gone well past agent_suspect_after while database stopped")
    }
}
