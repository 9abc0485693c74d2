import Foundation
import Testing

/// Quiesce in front of a real server from Debian's packages (installed by .ci/run).
@Suite(
    "A real server: redis-server", .serialized,
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server")))
struct RealServerTests {
    @Test("api starts only once redis answers PING, and redis still answers while api stops")
    func redisBehindQuiesce() async throws {
        let port = try FreePort.pick()
        let fleet = try Fleet(
            config: """
                defaults: { stop_timeout: 5s, start_timeout: 20s }
                services:
                  cache: { readiness: { exec: "redis-cli -p \(port) ping | grep -q PONG", interval: 100ms } }
                  api: { depends_on: [cache] }
                """, secure: true)
        defer { fleet.tearDown() }
        let client = fleet.directory.appendingPathComponent("api.sh")
        try """
        record() { echo "$(date +%s.%N) api $1 $$" >> "\(fleet.timelinePath.path)"; }
        ping() { redis-cli -p \(port) ping 2>&1 | tr -d ' \\n' | tr -c 'A-Za-z' '_'; }
        trap 'record stop-begin; sleep 0.3; record "stop-end-$(ping)"; exit 0' TERM
        record "started-$(ping)"
        while true; do sleep 0.02; done
        """.write(to: client, atomically: true, encoding: .utf8)
        let coordinator = try await fleet.startCoordinator()
        let redis = try fleet.startAgent(
            "cache",
            command: [
                "redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            ])
        try fleet.startAgent("api", command: ["/bin/sh", client.path])
        await fleet.waitUntil("api started") { fleet.timeline().contains { $0.service == "api" } }

        #expect(fleet.time("api", "started-PONG") != nil, "redis did not answer when api started: \(fleet.timeline())")
        #expect(await fleet.shutDown(coordinator) == 0)
        #expect(fleet.time("api", "stop-end-PONG") != nil, "redis stopped before api had stopped: \(fleet.timeline())")
        #expect(try fleet.reportEntry("cache")["outcome"] as? String == "stopped")
        #expect(await fleet.waitForExit(redis) == 0, "redis-server exits 0 on SIGTERM")
    }
}
