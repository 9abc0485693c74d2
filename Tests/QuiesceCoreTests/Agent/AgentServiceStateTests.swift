import QuiesceCore
import Testing

/// The service's state as the agent's `/metrics` names it, event by event (the actions of each
/// event are asserted in the other suites).
@Suite("Agent state machine: the service's state")
struct AgentServiceStateTests {
    typealias Agent = AgentStateMachine
    let probe = ReadinessProbe(
        check: .tcp(host: "127.0.0.1", port: 5432), interval: .seconds(1), failureThreshold: 2,
        initialDelay: .zero, initialInterval: .seconds(1))

    @Test("waiting, starting until a check passes, ready, unready, stopping, then stopped")
    func lifecycle() {
        var agent = Agent(settings: Agent.Settings())
        _ = agent.start(now: .zero)
        #expect(agent.serviceState == .waiting)
        _ = agent.startOrdered(readiness: probe, restart: nil, now: .zero)
        #expect(agent.serviceState == .starting, "spawning")
        _ = agent.spawned(pid: AgentFixture.pid, now: .zero)
        #expect(agent.serviceState == .starting, "no check has passed")
        _ = agent.probeFinished(error: nil, now: .after(.seconds(1)))
        #expect(agent.serviceState == .ready)
        _ = agent.probeFinished(error: "refused", now: .after(.seconds(2)))
        #expect(agent.serviceState == .ready, "one failure is below the threshold")
        _ = agent.probeFinished(error: "refused", now: .after(.seconds(3)))
        #expect(agent.serviceState == .unready)
        _ = agent.stopOrdered(
            order: AgentFixture.stopOrderID, timeout: .seconds(5), drain: .zero, exit: false, now: .after(.seconds(4)))
        #expect(agent.serviceState == .stopping)
        let report = agent.processExited(.exited(0), now: .after(.seconds(5)))
        #expect(agent.serviceState == .stopped, "reporting")
        let reportID = report.compactMap { action -> UInt64? in
            if case .send(.stopped, let id, _) = action { id } else { nil }
        }.first
        _ = agent.acknowledged(replyTo: reportID, now: .after(.seconds(5)))
        #expect(agent.serviceState == .stopped, "waiting for a start order again, after a stop")
        _ = agent.startOrdered(readiness: probe, restart: nil, now: .after(.seconds(6)))
        #expect(agent.serviceState == .starting)
    }

    @Test("A process that cannot be started is failed")
    func spawnFailure() {
        var agent = AgentFixture.orderedToStart()
        _ = agent.spawnFailed("no such file", now: .zero)
        #expect(agent.serviceState == .failed)
    }
}
