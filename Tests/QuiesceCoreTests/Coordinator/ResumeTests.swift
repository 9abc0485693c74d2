import QuiesceCore
import Testing

/// A coordinator that restarted: adopting running services, and resuming a shutdown from its journal.
@Suite("Coordinator state machine: restart and resume")
struct ResumeTests {
    typealias Coordinator = CoordinatorStateMachine
    let stoppedAPI = RecordedOutcome(code: "stopped", clean: true, detail: "stopped (exit code 0)")

    func sends(_ actions: [Coordinator.Action]) -> [Coordinator.Action] {
        actions.filter { if case .send = $0 { true } else { false } }
    }

    @Test("Services an agent reports running are adopted during startup: no start order, and the wave completes")
    func adoptionDuringStartup() throws {
        var coordinator = Coordinator(configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero)
        _ = try coordinator.agentRegistered("database", host: "h", snapshot: .ready(pid: 10), now: .zero).get()
        let actions = try coordinator.agentRegistered("cache", host: "h", snapshot: .ready(pid: 11), now: .zero).get()
        #expect(actions.contains(.progress(.startup(.serviceAdopted("cache", ready: true)))))
        #expect(sends(actions).isEmpty)
        let api = try coordinator.agentRegistered("api", host: "h", snapshot: .idle, now: .zero).get()
        #expect(
            sends(api) == [.send(.start(readiness: nil, restart: nil), to: "api")], "wave 1 was complete: api starts")
        #expect(coordinator.status(now: .zero).first { $0.service == "database" }?.pid == 10)
    }

    @Test("A resumed shutdown keeps what the journal recorded and begins once every other agent is back")
    func resumeWhenAgentsAreBack() throws {
        var coordinator = Coordinator(
            configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero, resuming: ["api": stoppedAPI])
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
            sends(try coordinator.agentRegistered("database", host: "h", snapshot: .ready(pid: 10), now: .zero).get())
                .isEmpty)
        let actions = try coordinator.agentRegistered("cache", host: "h", snapshot: .ready(pid: 11), now: .zero).get()
        #expect(actions.contains(.cancelTimer(.resumeGrace)))
        #expect(actions.contains(.progress(.shutdown(.serviceFinished("api", .recorded(stoppedAPI), after: nil)))))
        #expect(
            sends(actions) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "cache"),
                .send(.stop(timeout: .seconds(20), drain: .zero, exit: true), to: "database"),
            ])
    }

    @Test("An agent that does not come back within the grace is declared lost; the shutdown goes on")
    func resumeAfterGrace() throws {
        var coordinator = Coordinator(
            configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero, resuming: ["api": stoppedAPI])
        _ = coordinator.start(now: .zero)
        _ = try coordinator.agentRegistered("database", host: "h", snapshot: .ready(pid: 10), now: .zero).get()
        let actions = coordinator.timerFired(.resumeGrace, now: .after(.seconds(5)))
        #expect(actions.contains(.progress(.shutdown(.serviceFinished("cache", .lost, after: nil)))))
        #expect(sends(actions) == [.send(.stop(timeout: .seconds(20), drain: .zero, exit: true), to: "database")])
        let done = coordinator.stopAcknowledged("database", outcome: .stopped(.exited(0)), now: .after(.seconds(6)))
        guard case .finish(let report) = try #require(done.last) else {
            Issue.record("expected the report")
            return
        }
        #expect(report.entries.map(\.outcome.code) == ["stopped", "lost", "stopped"])
        #expect(done.contains(.journal(.shutdownFinished)))
    }

    @Test("An agent silent past agent_suspect_after is suspect until it is heard from again")
    func suspectThenBack() throws {
        var coordinator = Coordinator(configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero)
        _ = try coordinator.agentRegistered("database", host: "h", now: .zero).get()
        #expect(
            coordinator.timerFired(.suspect("database"), now: .after(.seconds(2))) == [
                .progress(.agentSuspect("database"))
            ])
        #expect(coordinator.timerFired(.suspect("database"), now: .after(.seconds(2))) == [], "said once")
        #expect(
            coordinator.heard(from: "database", now: .after(.seconds(3))).last
                == .progress(.agentResponsive("database")))
        #expect(coordinator.status(now: .after(.seconds(3))).first?.suspect == false)
        #expect(coordinator.isConnected("database"))
    }
}
