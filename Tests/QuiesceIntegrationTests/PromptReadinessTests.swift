import Foundation
import Testing

/// Readiness seen at once, with default settings, on real children: quick checks until the first
/// passes, registrations sent as soon as the connection is up, and a coordinator that exits only once
/// its agents have read their last acknowledgement. Speed is measured by scripts/benchmark.sh; these
/// tests check what happens, with bounds that only catch hangs.
@Suite("Prompt readiness", .serialized)
struct PromptReadinessTests {
    @Test(
        "With the default checks, the dependent starts after its dependency is ready, and the wait is not reported at every check"
    )
    func dependentAfterDependencyWithDefaults() async throws {
        let port = try FreePort.pick()
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s, start_timeout: 30s }
                services:
                  database: { readiness: { tcp: "127.0.0.1:\(port)" } }
                  api: { depends_on: [database] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        let launched = Date().timeIntervalSince1970
        try fleet.startListeningAgent("database", port: port, openDelay: 1.5)
        try fleet.startAgent("api")
        await fleet.waitUntilStarted(["database", "api"])

        let listening = try #require(fleet.time("database", "listening"))
        let apiStarted = try #require(fleet.time("api", "started"))
        #expect(listening < apiStarted, "api started before database's port was open")
        // Checks run every 10 to 40 ms until the port opens; their failures are reported once a
        // second (the interval), so at most one report per second waited, and one more.
        let reports = fleet.output("coordinator.err").components(separatedBy: "Service not ready").count - 1
        let waited = apiStarted - launched
        #expect(reports >= 1, "the first failed check is reported")
        #expect(
            Double(reports) <= waited + 2, "\(reports) reports of the failed checks in \(waited) s: one per check?")
        #expect(await fleet.shutDown(coordinator) == 0)
    }

    @Test(
        "The startup of services ready at once completes, in order, whether their agents came before the coordinator or after"
    )
    func instantStartupCompletes() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s, start_timeout: 30s }
                services:
                  database: {}
                  cache: {}
                  api: { depends_on: [database, cache] }
                """)
        defer { fleet.tearDown() }
        for name in ["cache", "database"] { try fleet.startAgent(name) }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("api")
        await fleet.waitUntil("startup complete", timeout: .seconds(30)) {
            fleet.coordinatorProgress().contains("startup complete")
        }
        // A service without a readiness check is ready once spawned: its child may write its
        // "started" line after the coordinator has said the startup is complete.
        await fleet.waitUntilStarted(["database", "cache", "api"])
        let apiStarted = try #require(fleet.time("api", "started"))
        for dependency in ["database", "cache"] {
            let started = try #require(fleet.time(dependency, "started"))
            #expect(started < apiStarted, "api started before \(dependency)")
        }
        #expect(await fleet.shutDown(coordinator) == 0)
    }

    @Test("Every agent reads its final acknowledgement before the coordinator goes: each exits 0 and logs its end")
    func everyAgentHasItsLastWord() async throws {
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 10s }
                services:
                  database: {}
                  cache: {}
                  api: { depends_on: [database, cache] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 0.3, "cache": 0.1, "api": 0.2])
        await fleet.waitUntil("startup complete", timeout: .seconds(30)) {
            fleet.coordinatorProgress().contains("startup complete")
        }
        #expect(await fleet.shutDown(coordinator) == 0)
        for name in ["api", "cache", "database"] {
            let agent = try #require(fleet.agents[name])
            #expect(await fleet.waitForExit(agent, timeout: .seconds(30)) == 0, "\(name)'s agent exits 0")
            let log = fleet.output("agent-\(name).err")
            #expect(log.contains("Agent exiting"), "\(name)'s agent logs its end:\n\(log)")
            #expect(
                !log.contains("did not acknowledge the final report"),
                "\(name)'s agent read its acknowledgement:\n\(log)")
        }
    }
}
