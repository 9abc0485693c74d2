import Testing

@testable import QuiesceCore

/// A coordinator that goes silent, and the snapshot the agent brings to the next one.
@Suite("Agent state machine: lost coordinator")
struct AgentLostCoordinatorTests {
    typealias Agent = AgentStateMachine

    @Test("Silence from the coordinator makes the agent register again with a snapshot; the service keeps running")
    func silenceMeansRegisterAgain() {
        var agent = AgentFixture.runningAgent(epoch: 1)
        #expect(
            agent.heardFromCoordinator(now: .after(.seconds(2))) == [
                .scheduleTimer(.coordinatorSilence, at: .after(.seconds(7)))
            ])
        let actions = agent.timerFired(.coordinatorSilence, now: .after(.seconds(7)))
        #expect(
            actions.contains(
                .send(.register(.ready(pid: AgentFixture.pid)), id: AgentFixture.firstAfterSetupID, replyTo: nil)))
        #expect(!actions.contains { if case .signal = $0 { true } else { false } }, "the service keeps running")
        #expect(agent.health == (alive: true, ready: true))
        #expect(
            agent.welcomed(heartbeatInterval: .seconds(1), lostAfter: .seconds(5), epoch: 2, now: .after(.seconds(8)))
                .contains(.cancelTimer(.registration)))
        #expect(agent.accepts(epoch: 2) && !agent.accepts(epoch: 1), "orders of the earlier coordinator are stale")
    }

    @Test("The snapshot follows the service", arguments: [0, 1, 2, 3])
    func snapshots(step: Int) {
        let probe = ReadinessProbe(check: .tcp(host: "127.0.0.1", port: 5432))
        var agent = AgentFixture.runningAgent(welcomed: false, readiness: probe)
        let expected: [AgentSnapshot] = [
            .starting(pid: AgentFixture.pid), .ready(pid: AgentFixture.pid), .stopping(pid: AgentFixture.pid),
            .exited(.exited(0)),
        ]
        if step >= 1 {
            #expect(
                agent.probeFinished(error: nil, now: .zero) == [
                    .send(.ready, id: AgentFixture.readyID, replyTo: nil),
                    .scheduleTimer(.probe, at: .after(probe.interval)),
                ])
        }
        if step >= 2 {
            #expect(
                agent.stopOrdered(order: AgentFixture.laterOrderID, timeout: .seconds(5), now: .zero) == [
                    .cancelTimer(.probe), .signal(15), .scheduleTimer(.stopDeadline, at: .after(.seconds(5))),
                ])
        }
        if step >= 3 {
            #expect(
                agent.processExited(.exited(0), now: .zero) == [
                    .cancelTimer(.stopDeadline), .signal(9),
                    .send(
                        .stopped(.stopped(.exited(0))), id: AgentFixture.firstAfterSetupID,
                        replyTo: AgentFixture.laterOrderID),
                ] + AgentFixture.reportTimers(at: .zero))
        }
        #expect(agent.snapshot == expected[step])
    }
}
