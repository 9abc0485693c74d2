import Foundation
import Testing

/// Readiness probes on real children: dependents start only once their dependencies answer.
@Suite("Readiness probes", .serialized)
struct ReadinessTests {
    @Test("A TCP probe holds the dependent back until the dependency's port opens")
    func tcpProbeGatesDependent() async throws {
        let port = try FreePort.pick()
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s, start_timeout: 20s }
                services:
                  database: { readiness: { tcp: "127.0.0.1:\(port)", interval: 100ms } }
                  api: { depends_on: [database] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startListeningAgent("database", port: port, openDelay: 1.0)
        try fleet.startAgent("api")
        await fleet.waitUntilStarted(["database", "api"])

        let listening = try #require(fleet.time("database", "listening"))
        let apiStarted = try #require(fleet.time("api", "started"))
        #expect(listening < apiStarted, "api started before database's port was open")
        #expect(await fleet.shutDown(coordinator) == 0)
    }

    @Test("An HTTP probe given on the agent's command line wins over none in the configuration")
    func httpProbeFromAgentFlags() async throws {
        let port = try FreePort.pick()
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s, start_timeout: 20s }
                services:
                  web: {}
                  worker: { depends_on: [web] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startListeningAgent(
            "web", port: port, openDelay: 0.8, http: true,
            agentFlags: ["--ready-http", "http://127.0.0.1:\(port)/healthz", "--ready-interval", "100ms"])
        try fleet.startAgent("worker")
        await fleet.waitUntilStarted(["web", "worker"])

        let listening = try #require(fleet.time("web", "listening"))
        let workerStarted = try #require(fleet.time("worker", "started"))
        #expect(listening < workerStarted, "worker started before web answered HTTP")
        #expect(await fleet.shutDown(coordinator) == 0)
    }

    @Test("A probe that never passes fails the startup at start_timeout, and the report names the probe's error")
    func probeNeverPasses() async throws {
        let port = try FreePort.pick()
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                services:
                  database: { start_timeout: 1500ms, readiness: { tcp: "127.0.0.1:\(port)", interval: 100ms } }
                  api: { depends_on: [database] }
                """)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("database", stopDelay: 0.1)
        try fleet.startAgent("api")

        #expect(await fleet.waitForExit(coordinator) == 2)
        let failure = try #require(try fleet.report()["startup_failure"] as? String)
        #expect(
            failure.contains(
                "service \"database\" failed to start: not ready within its start timeout (1.5s); last readiness check: connect to 127.0.0.1:\(port): Connection refused"
            ))
        #expect(fleet.time("api", "started") == nil)
        #expect(fleet.time("database", "stop-end") != nil, "what was started is stopped")
    }

    @Test("An exec probe that fails after the service was ready reports it unready, then ready again")
    func execProbeLiveness() async throws {
        let flag = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-ready-\(UUID().uuidString)")
            .path
        _ = FileManager.default.createFile(atPath: flag, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: flag) }
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s }
                services:
                  cache: { readiness: { exec: "test -e \(flag)", interval: 100ms, failure_threshold: 2 } }
                """, secure: true)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("cache", stopDelay: 0.1)
        await fleet.waitUntil("cache is ready") { fleet.coordinatorProgress().contains("cache ready") }

        try FileManager.default.removeItem(atPath: flag)
        await fleet.waitUntil("cache is reported unready") {
            fleet.coordinatorProgress().contains("cache unready: test -e \(flag): exit code 1")
        }
        let status = try await fleet.run(["status", "--coordinator", fleet.endpoint, "--json"], log: "status")
        #expect(status.terminationStatus == 0)
        #expect(fleet.output("status.out").contains("\"state\" : \"unready\""))
        _ = FileManager.default.createFile(atPath: flag, contents: nil)
        await fleet.waitUntil("cache is ready again") { fleet.coordinatorProgress().contains("cache ready again") }
        #expect(await fleet.shutDown(coordinator) == 0)
    }
}
