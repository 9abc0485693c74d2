import Foundation
import QuiesceCore
import QuiesceWire
import Testing

/// Values too large for the agent's system calls, sent by a coordinator or given as flags and files:
/// each is refused where it enters, and the agent and the fleet carry on.
@Suite("Out-of-range values", .serialized)
struct OutOfRangeTests {
    @Test("An agent drops orders whose timeouts pass 24 hours, and still runs a probe of the longest timeout")
    func agentDropsHugeTimeouts() async throws {
        let fleet = try Fleet(config: "services: { app: {} }", secure: false)
        defer { fleet.tearDown() }
        let coordinator = try StandInCoordinator(endpoint: fleet.endpoint)
        defer { coordinator.close() }
        let agent = try fleet.startAgent("app", stopDelay: 0.1)

        let registration = try await coordinator.awaitRegistration()
        try coordinator.order(.welcome(heartbeatInterval: .seconds(1), lostAfter: .seconds(5)), id: 100)
        let reply = registration.id
        let probe = #""failure_threshold":3,"initial_delay_ms":0,"interval_ms":1000,"tcp":"127.0.0.1:1""#
        for body in [
            // 2^31 ms once made the TCP check trap converting it for poll.
            #"{"id":101,"readiness":{"# + probe + #","timeout_ms":2147483648},"reply_to":\#(reply),"type":"start"}"#,
            #"{"id":102,"reply_to":\#(reply),"timeout_ms":9223372036854775807,"type":"stop"}"#,
        ] {
            try coordinator.send(frames: [Array("QSC/1".utf8), Array(body.utf8)])
        }
        await fleet.waitUntil("the agent dropped both orders") {
            fleet.output("agent-app.err").components(separatedBy: "out of range").count == 3
        }
        #expect(agent.isRunning)

        let longest = ReadinessProbe(check: .tcp(host: "127.0.0.1", port: 1), timeout: .longestSetting)
        try coordinator.order(.start(readiness: longest, restart: nil), id: 103)
        await fleet.waitUntilStarted(["app"])
        try coordinator.order(.stop(timeout: .seconds(5), drain: .zero, exit: true), id: 104)
        var report = try await coordinator.nextReport()
        while report.replyTo != 104 { report = try await coordinator.nextReport() }
        #expect(report.message == .stopped(.stopped(.exited(0))))
        try coordinator.send(Envelope(id: 105, replyTo: report.id, message: .ack))
        #expect(await fleet.waitForExit(agent) == 0)
    }

    @Test("An agent given a readiness timeout past 24 hours exits with a usage error naming the limit")
    func agentFlag() async throws {
        let (status, errors) = try await CommandLineTests.run([
            "agent", "--name", "api", "--coordinator", "tcp://127.0.0.1:1", "--ready-tcp", "127.0.0.1:1",
            "--ready-timeout", "40000m", "--", "true",
        ])
        #expect(status == 64)
        #expect(errors.contains("40000m is longer than 24 hours (1440m), the longest a duration may be"))
    }

    @Test("plan refuses a readiness timeout past 24 hours at its line")
    func plan() async throws {
        let fleet = try Fleet(
            config: "services:\n  api:\n    readiness: { tcp: \"127.0.0.1:1\", timeout: 40000m }\n", secure: false)
        defer { fleet.tearDown() }
        let plan = try await fleet.run(["plan", "--config", fleet.configPath.path], log: "plan")
        #expect(plan.terminationStatus != 0)
        #expect(
            fleet.output("plan.err").contains(
                "\(fleet.configPath.path):3: timeout: \"40000m\" is longer than 24 hours (1440m), the longest a duration may be"
            ))
    }

    @Test("A fleet whose stop timeout is the longest allowed starts and shuts down in order")
    func longestStopTimeout() async throws {
        let fleet = try Fleet(
            config: "services:\n  database: { stop_timeout: 1440m }\n  api: { depends_on: [database] }\n",
            secure: false)
        defer { fleet.tearDown() }
        let coordinator = try await fleet.up(["database": 0.1, "api": 0.1])
        // database has no readiness check: it is ready once spawned, before its shell may have written
        // its own `started` line, so the order is checked from the coordinator's lines.
        try expectStartedAfter("api", dependencies: ["database"], in: fleet)
        #expect(await fleet.shutDown(coordinator) == 0)
        #expect(try #require(fleet.time("api", "stop-end")) <= #require(fleet.time("database", "stop-begin")))
    }
}
