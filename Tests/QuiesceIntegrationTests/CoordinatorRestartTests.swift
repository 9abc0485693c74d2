import Foundation
import Testing

/// A coordinator that dies and comes back: agents keep their services running, register again with a
/// snapshot, and the new coordinator adopts what runs instead of starting it twice.
@Suite("Coordinator restart", .serialized)
struct CoordinatorRestartTests {
    @Test(
        "A coordinator killed while the fleet runs is restarted, adopts the running services, and shuts them down in order"
    )
    func restartWhileRunning() async throws {
        let fleet = try Fleet(
            config: """
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

        let second = try await fleet.startCoordinator()
        await fleet.waitUntil("the new coordinator adopted both services") {
            fleet.coordinatorProgress().contains("database already running and ready: adopted")
                && fleet.coordinatorProgress().contains("api already running and ready: adopted")
        }
        #expect(fleet.timeline().filter { $0.event == "started" }.count == 2, "a service was started twice")
        #expect(await fleet.shutDown(second) == 0)
        try expectStopped("api", before: ["database"], in: fleet)
        #expect(fleet.servicePIDs().isEmpty)
    }
}

extension CoordinatorRestartTests {
    /// `api`'s stop ends while no coordinator runs, every time: it ends when the test releases it, once
    /// the first coordinator is killed, and its agent is frozen (SIGSTOP) from before that kill until
    /// the second coordinator listens, so that the scheduler never decides whether the new coordinator
    /// hears of a stop under way or of one over.
    @Test(
        "A coordinator killed in the middle of a shutdown resumes it from its journal, without stopping a service whose dependent still runs"
    )
    func restartMidShutdown() async throws {
        let fleet = try Fleet(
            config: """
                coordinator: { heartbeat_interval: 200ms, agent_lost_after: 10s, shutdown_timeout: 60s }
                defaults: { stop_timeout: 10s }
                services:
                  database: {}
                  api: { depends_on: [database] }
                  web: { depends_on: [api] }
                """)
        defer { fleet.tearDown() }
        let stateDirectory = fleet.directory.appendingPathComponent("state").path
        let first = try await fleet.startCoordinator(extraArguments: ["--json", "--state-dir", stateDirectory])
        // api's stop lasts until the test releases it, so that it cannot end before its agent is frozen.
        let release = fleet.directory.appendingPathComponent("release-api").path
        let apiService = """
            record() { echo "$(date +%s.%N) api $1 $$" >> "\(fleet.timelinePath.path)"; }
            trap 'record stop-begin; while [ ! -e "\(release)" ]; do sleep 0.02; done; record stop-end; exit 0' TERM
            record started
            while true; do sleep 0.02; done
            """
        try fleet.startAgent("database", stopDelay: 0.2)
        let api = try fleet.startAgent("api", command: ["/bin/sh", "-c", apiService])
        try fleet.startAgent("web", stopDelay: 0.2)
        await fleet.waitUntilStarted(["database", "api", "web"])
        kill(first.processIdentifier, SIGTERM)
        await fleet.waitUntil("api is stopping") { fleet.time("api", "stop-begin") != nil }
        kill(api.processIdentifier, SIGSTOP)
        kill(first.processIdentifier, SIGKILL)
        _ = await fleet.waitForExit(first)
        let journal = try String(contentsOfFile: stateDirectory + "/journal.jsonl", encoding: .utf8)
        #expect(journal.contains(#""event":"shutdown""#))
        #expect(journal.contains(#""service":"web""#))
        _ = FileManager.default.createFile(atPath: release, contents: nil)
        await fleet.waitUntil("api's process has ended") { fleet.time("api", "stop-end") != nil }

        let restartedAt = Date().timeIntervalSince1970
        let second = try await fleet.startCoordinator(extraArguments: ["--json", "--state-dir", stateDirectory])
        kill(api.processIdentifier, SIGCONT)
        #expect(await fleet.waitForExit(second, timeout: .seconds(60)) == 0)
        #expect(
            fleet.coordinatorProgress().contains(
                "resuming the shutdown a previous coordinator began (already stopped: web)"))
        try expectStopped("api", before: ["database"], in: fleet)
        try expectStopped("web", before: ["api"], in: fleet)
        #expect(try #require(fleet.time("api", "stop-end")) < restartedAt, "api's stop ended while no coordinator ran")
        #expect(
            try fleet.reportEntry("api")["outcome"] as? String == "stopped",
            "the agent told the new coordinator how the ordered stop ended")
        #expect(
            try fleet.reportEntry("web")["detail"] as? String
                == "stopped (exit code 0) (before the coordinator restarted)")
        #expect(fleet.time("database", "stop-end") != nil)
        #expect(
            try String(contentsOfFile: stateDirectory + "/journal.jsonl", encoding: .utf8).isEmpty,
            "a finished shutdown leaves nothing pending")
        await fleet.waitUntil("no service process is left") { fleet.servicePIDs().isEmpty }
    }
}
