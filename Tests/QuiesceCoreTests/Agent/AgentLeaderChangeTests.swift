import Testing

@testable import QuiesceCore

/// What the agent's machine gives an agent of several coordinators (``LeaderFollowing``): its
/// registration for a coordinator it does not obey, and its pending report for a new leader.
@Suite("Agent state machine: a new leader")
struct AgentLeaderChangeTests {
    typealias Agent = AgentStateMachine

    @Test("The registration for another coordinator carries the snapshot and a fresh id")
    func registrationForAnotherCoordinator() {
        var agent = AgentFixture.runningAgent(epoch: 5)
        #expect(
            agent.registrationForAnotherCoordinator()
                == .send(.register(.ready(pid: AgentFixture.pid)), id: AgentFixture.firstAfterSetupID, replyTo: nil))
        #expect(
            agent.registrationForAnotherCoordinator()
                == .send(
                    .register(.ready(pid: AgentFixture.pid)), id: AgentFixture.firstAfterSetupID + 1, replyTo: nil))
        #expect(agent.health == (alive: true, ready: true), "the service is untouched")
    }

    @Test("A report not acknowledged yet is sent again to the new leader; its registration carried the outcome")
    func pendingReportResent() {
        var clock = ManualClock()
        var agent = AgentFixture.runningAgent(epoch: 5)
        #expect(agent.leaderChanged(now: clock.now) == [], "nothing waits")
        _ = agent.stopOrdered(order: AgentFixture.stopOrderID, timeout: .seconds(10), now: clock.now)
        clock.advance(by: .milliseconds(100))
        let report = Agent.Action.send(
            .stopped(.stopped(.exited(0))), id: AgentFixture.firstAfterSetupID, replyTo: AgentFixture.stopOrderID)
        #expect(agent.processExited(.exited(0), now: clock.now).contains(report))
        #expect(
            agent.registrationForAnotherCoordinator()
                == .send(
                    .register(.stopped(.stopped(.exited(0)))), id: AgentFixture.firstAfterSetupID + 1, replyTo: nil))
        #expect(
            agent.welcomed(heartbeatInterval: .seconds(1), lostAfter: .seconds(5), epoch: 9, now: clock.now) == [])
        #expect(agent.epoch == 9)
        #expect(agent.leaderChanged(now: clock.now) == [report])
        #expect(agent.acknowledged(replyTo: AgentFixture.firstAfterSetupID, now: clock.now).contains(.exit(0)))
        #expect(agent.leaderChanged(now: clock.now) == [])
    }
}
