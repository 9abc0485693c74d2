import Foundation
import Testing

/// A coordinator that dies and comes back: agents keep their services running, register again with a
/// snapshot, and the new coordinator adopts what runs instead of starting it twice.
@Suite("Coordinator restart", .serialized)
struct CoordinatorRestartTests {
    @Test("A coordinator killed while the fleet runs is restarted, adopts the running services, and shuts them down in order")
    func restartWhileRunning() async throws {
        let fleet = try Fleet(config: """
            coordinator: { heartbeat_interval: 200ms, agent_lost_after: 1s }
            defaults: { stop_timeout: 5s }
            services:
              database: {}
              api: { depends_on: [database] }
            """)
        defer { fleet.tearDown() }
        let first = try await fleet.up(["database": 0.2, "api": 0.3])
        kill(first.processIdentifier, SIGKILL)
        _ = await fleet.waitForExit(first)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(fleet.servicePIDs().count == 2, "the services keep running without their coordinator")

        let second = try fleet.startCoordinator()
        await fleet.waitUntil("the new coordinator adopted both services") {
            fleet.output("coordinator.out").contains("database already running and ready: adopted")
                && fleet.output("coordinator.out").contains("api already running and ready: adopted")
        }
        #expect(fleet.timeline().filter { $0.event == "started" }.count == 2, "a service was started twice")
        #expect(await fleet.shutDown(second) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
        #expect(fleet.servicePIDs().isEmpty)
    }
}
