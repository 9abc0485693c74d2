import QuiesceCore
import Testing

/// A coordinator that restarted: adopting running services, and resuming a shutdown from its journal.
@Suite("Coordinator state machine: restart and resume")
struct ResumeTests {
    typealias Coordinator = CoordinatorStateMachine
    let databasePID: Int32 = 10
    let cachePID: Int32 = 11
    let stoppedAPI = RecordedOutcome(code: "stopped", clean: true, detail: "stopped (exit code 0)")

    @Test("Services an agent reports running are adopted during startup: no start order, and the wave completes")
    func adoptionDuringStartup() throws {
        var coordinator = Coordinator(configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero)
        #expect(
            try coordinator.agentRegistered("database", host: "h", snapshot: .ready(pid: databasePID), now: .zero).get()
                == CoordinatorFixtures.connected("database", host: "h", now: .zero) + [
                    .progress(.startup(.serviceAdopted("database", ready: true)))
                ])
        let actions = try coordinator.agentRegistered("cache", host: "h", snapshot: .ready(pid: cachePID), now: .zero)
            .get()
        #expect(actions.contains(.progress(.startup(.serviceAdopted("cache", ready: true)))))
        #expect(CoordinatorFixtures.sends(actions).isEmpty)
        let api = try coordinator.agentRegistered("api", host: "h", snapshot: .idle, now: .zero).get()
        #expect(
            CoordinatorFixtures.sends(api) == [.send(.start(readiness: nil, restart: nil), to: "api")],
            "wave 1 was complete: api starts")
        #expect(coordinator.status(now: .zero).first { $0.service == "database" }?.pid == databasePID)
    }

    @Test("A resumed shutdown keeps what the journal recorded and begins once every other agent is back")
    func resumeWhenAgentsAreBack() throws {
        var coordinator = Coordinator(
            configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero,
            resuming: RecordedShutdown(services: ["api": stoppedAPI]))
        #expect(
            coordinator.start(now: .zero) == [
                .progress(.shutdownResumed(alreadyStopped: ["api"])),
                .scheduleTimer(.resumeGrace, at: .after(.seconds(5))),
                .scheduleTimer(.heartbeat, at: .after(.seconds(1))),
            ])
        #expect(coordinator.isShuttingDown)
        #expect(
            coordinator.operationRequested(Operation(kind: .stop, service: "api"), now: .zero)
                == .failure(.busy("resuming a shutdown")))
        #expect(
            CoordinatorFixtures.sends(
                try coordinator.agentRegistered("database", host: "h", snapshot: .ready(pid: databasePID), now: .zero)
                    .get()
            )
            .isEmpty)
        let actions = try coordinator.agentRegistered("cache", host: "h", snapshot: .ready(pid: cachePID), now: .zero)
            .get()
        #expect(actions.contains(.cancelTimer(.resumeGrace)))
        #expect(actions.contains(.progress(.shutdown(.serviceFinished("api", .recorded(stoppedAPI), after: nil)))))
        #expect(
            CoordinatorFixtures.sends(actions) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "cache"),
                .send(.stop(timeout: .seconds(20), drain: .zero, exit: true), to: "database"),
            ])
    }

    @Test("An agent that does not come back within the grace is declared lost; the shutdown goes on")
    func resumeAfterGrace() throws {
        var coordinator = Coordinator(
            configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero,
            resuming: RecordedShutdown(services: ["api": stoppedAPI]))
        #expect(
            coordinator.start(now: .zero) == [
                .progress(.shutdownResumed(alreadyStopped: ["api"])),
                .scheduleTimer(.resumeGrace, at: .after(.seconds(5))),
                .scheduleTimer(.heartbeat, at: .after(.seconds(1))),
            ])
        #expect(
            try coordinator.agentRegistered("database", host: "h", snapshot: .ready(pid: databasePID), now: .zero).get()
                == CoordinatorFixtures.connected("database", host: "h", now: .zero),
            "cache is still awaited")
        let actions = coordinator.timerFired(.resumeGrace, now: .after(.seconds(5)))
        #expect(actions.contains(.progress(.shutdown(.serviceFinished("cache", .lost, after: nil)))))
        #expect(
            CoordinatorFixtures.sends(actions) == [
                .send(.stop(timeout: .seconds(20), drain: .zero, exit: true), to: "database")
            ])
        let done = coordinator.stopAcknowledged("database", outcome: .stopped(.exited(0)), now: .after(.seconds(6)))
        guard case .finish(let report) = try #require(done.last) else {
            Issue.record("expected the report")
            return
        }
        #expect(report.entries.map(\.outcome.code) == ["stopped", "lost", "stopped"])
        #expect(done.contains(.journal(.shutdownFinished)))
    }

    @Test("A service whose stop ended while no coordinator ran is reported stopped with the outcome its agent tells")
    func stopEndedWhileNoCoordinatorRan() throws {
        var coordinator = Coordinator(
            configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero, resuming: RecordedShutdown())
        #expect(
            coordinator.start(now: .zero) == [
                .progress(.shutdownResumed(alreadyStopped: [])),
                .scheduleTimer(.resumeGrace, at: .after(.seconds(5))),
                .scheduleTimer(.heartbeat, at: .after(.seconds(1))),
            ])
        #expect(
            try coordinator.agentRegistered("api", host: "h", snapshot: .stopped(.stopped(.exited(0))), now: .zero)
                .get() == CoordinatorFixtures.connected("api", host: "h", now: .zero))
        #expect(coordinator.status(now: .zero).first { $0.service == "api" }?.state == .stopped)
        #expect(
            try coordinator.agentRegistered("database", host: "h", snapshot: .ready(pid: databasePID), now: .zero)
                .get() == CoordinatorFixtures.connected("database", host: "h", now: .zero))
        let actions = try coordinator.agentRegistered("cache", host: "h", snapshot: .ready(pid: cachePID), now: .zero)
            .get()
        let stopped = ShutdownOutcome.acknowledged(.stopped(.exited(0)))
        #expect(actions.contains(.progress(.shutdown(.serviceFinished("api", stopped, after: nil)))))
        #expect(
            actions.contains(
                .journal(
                    .outcome("api", RecordedOutcome(code: "stopped", clean: true, detail: "stopped (exit code 0)")))))
        #expect(
            CoordinatorFixtures.sends(actions) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "cache"),
                .send(.stop(timeout: .seconds(20), drain: .zero, exit: true), to: "database"),
            ],
            "api's stop is over: its dependencies are stopped at once, and api is not ordered again")
        _ = coordinator.stopAcknowledged("cache", outcome: .stopped(.exited(0)), now: .after(.seconds(1)))
        let done = coordinator.stopAcknowledged("database", outcome: .stopped(.exited(0)), now: .after(.seconds(1)))
        guard case .finish(let report) = try #require(done.last) else {
            Issue.record("expected the report")
            return
        }
        #expect(report.entries.first { $0.service == "api" }?.outcome == stopped)
        #expect(report.exitCode == 0)
    }

    @Test(
        "A stop the previous coordinator ordered that ends while the others are awaited is its end: not ordered again")
    func stopEndedDuringTheGrace() throws {
        var coordinator = Coordinator(
            configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero, resuming: RecordedShutdown())
        _ = coordinator.start(now: .zero)
        _ = try coordinator.agentRegistered("api", host: "h", snapshot: .stopping(pid: 12), now: .zero).get()
        #expect(coordinator.status(now: .zero).first { $0.service == "api" }?.state == .stopping)
        let report = coordinator.stopAcknowledged("api", outcome: .stopped(.exited(0)), now: .after(.seconds(1)))
        #expect(CoordinatorFixtures.sends(report).isEmpty)
        #expect(coordinator.status(now: .zero).first { $0.service == "api" }?.state == .stopped)
        _ = try coordinator.agentRegistered("database", host: "h", snapshot: .ready(pid: databasePID), now: .zero)
        let actions = try coordinator.agentRegistered("cache", host: "h", snapshot: .ready(pid: cachePID), now: .zero)
            .get()
        let stopped = ShutdownOutcome.acknowledged(.stopped(.exited(0)))
        #expect(actions.contains(.progress(.shutdown(.serviceFinished("api", stopped, after: nil)))))
        #expect(
            CoordinatorFixtures.sends(actions) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "cache"),
                .send(.stop(timeout: .seconds(20), drain: .zero, exit: true), to: "database"),
            ],
            "api's stop is over: it is not ordered again, and its dependencies stop at once")
    }

    @Test("A service whose process ended on its own before the restart is still reported as having exited")
    func exitedOnItsOwnBeforeTheRestart() throws {
        var coordinator = Coordinator(
            configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero, resuming: RecordedShutdown())
        _ = coordinator.start(now: .zero)
        _ = try coordinator.agentRegistered("api", host: "h", snapshot: .exited(.exited(3)), now: .zero).get()
        _ = try coordinator.agentRegistered("database", host: "h", snapshot: .ready(pid: databasePID), now: .zero).get()
        let actions = try coordinator.agentRegistered("cache", host: "h", snapshot: .ready(pid: cachePID), now: .zero)
            .get()
        #expect(
            actions.contains(
                .progress(.shutdown(.serviceFinished("api", .acknowledged(.alreadyExited(.exited(3))), after: nil)))))
    }
}
