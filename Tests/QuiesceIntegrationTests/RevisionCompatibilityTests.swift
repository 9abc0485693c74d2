import Foundation
import QuiesceTestSupport
import Testing

/// An agent of QSC/1 revision 1.0 (`revision_1_0_agent.py`: no `instance`, no snapshot `outcome`)
/// beside the reference agents, under the current coordinator: §9's promise that an agent of the
/// current revision keeps working unchanged.
@Suite("A revision-1.0 agent", .serialized)
struct RevisionCompatibilityTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("revision_1_0_agent.py").path

    @Test(
        "A revision-1.0 agent between two reference agents starts and stops in dependency order, and is the instance its host names"
    )
    func revision10AgentInOrder() async throws {
        // Plain: the revision-1.0 agent speaks ZMTP's NULL mechanism only.
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 10s }
                services:
                  db: {}
                  api: { depends_on: [db] }
                  web: { depends_on: [api] }
                """, secure: false)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.startCoordinator()
        try fleet.startAgent("db", stopDelay: 0.2)
        let legacy = ChildProcess()
        legacy.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        legacy.arguments = [
            Self.script, "127.0.0.1", HostilePeer.port(of: fleet.endpoint), "api", "legacy-host.example", "120", "--",
            "/bin/sh", fleet.directory.appendingPathComponent("service.sh").path, "api", "0.2", "obey",
            fleet.timelinePath.path,
        ]
        legacy.standardOutput = try FileHandle(forWritingTo: fleet.outputFile("agent-api.out"))
        legacy.standardError = try FileHandle(forWritingTo: fleet.outputFile("agent-api.err"))
        try ProcessExit.start(legacy)
        defer { if legacy.isRunning { kill(legacy.processIdentifier, SIGKILL) } }
        try fleet.startAgent("web", stopDelay: 0.2)
        await fleet.waitUntilStarted(["db", "api", "web"])
        await fleet.waitUntil("the startup completes") { fleet.coordinatorProgress().contains("startup complete") }

        // A service without a readiness check is ready once its process runs, before its shell writes
        // "started": the start order is the coordinator's, each wave begun after the one before was ready.
        #expect(
            fleet.time("api", "started") != nil,
            "the revision-1.0 agent's child never started:\n\(fleet.output("agent-api.err"))\n\(fleet.coordinatorProgress())"
        )
        let progress = fleet.coordinatorProgress()
        let waves = ["starting db", "starting api", "starting web"].map { progress.range(of: $0)?.lowerBound }
        #expect(
            waves.allSatisfy { $0 != nil } && waves[0]! < waves[1]! && waves[1]! < waves[2]!,
            "started in dependency order:\n\(progress)")

        let status = try await fleet.run(["status", "--coordinator", fleet.endpoint, "--json"], log: "status")
        #expect(status.terminationStatus == 0)
        let document = try JSONSerialization.jsonObject(with: Data(fleet.output("status.out").utf8)) as? [String: Any]
        let row = try #require((document?["services"] as? [[String: Any]])?.first { $0["service"] as? String == "api" })
        #expect(row["instance"] as? String == "legacy-host.example", "the instance its host names: \(row)")
        #expect(row["host"] as? String == "legacy-host.example")
        #expect(row["state"] as? String == "ready")
        #expect(row["connected"] as? Bool == true)

        #expect(await fleet.shutDown(coordinator) == 0, "a clean shutdown: \(fleet.output("coordinator.out"))")
        let webStopped = try #require(fleet.time("web", "stop-end"))
        let apiStopping = try #require(
            fleet.time("api", "stop-begin"), "the revision-1.0 agent never stopped its child")
        let apiStopped = try #require(fleet.time("api", "stop-end"))
        let dbStopping = try #require(fleet.time("db", "stop-begin"))
        #expect(webStopped < apiStopping, "api began to stop while web ran")
        #expect(apiStopped < dbStopping, "db began to stop while api ran")
        #expect(try fleet.reportEntry("api")["outcome"] as? String == "stopped")
        #expect(
            await Fleet.waitForExit(legacy, timeout: .seconds(30)) == 0,
            "the revision-1.0 agent exits with its child's status")
        for (name, agent) in fleet.agents {
            #expect(await fleet.waitForExit(agent) == 0, "agent \(name)")
        }
        #expect(fleet.servicePIDs().isEmpty)
    }
}
