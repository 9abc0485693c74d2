import QuiesceCore
import Testing

/// Drain before stop, and what the health endpoint answers.
@Suite("Agent state machine: drain and health")
struct AgentDrainTests {
    typealias Agent = AgentStateMachine

    func runningAgent() -> Agent {
        AgentFixture.runningAgent(welcomed: false)
    }

    /// A running agent ordered to stop after a drain of 5 s.
    func drainingAgent() -> Agent {
        var agent = runningAgent()
        #expect(
            agent.stopOrdered(order: AgentFixture.stopOrderID, timeout: .seconds(10), drain: .seconds(5), now: .zero)
                == [.cancelTimer(.probe), .scheduleTimer(.drainEnd, at: .after(.seconds(5)))])
        return agent
    }

    @Test("A stop with a drain reports not ready first, and signals only when the drain is over")
    func drainThenStop() {
        var agent = runningAgent()
        #expect(agent.health == (alive: true, ready: true))
        #expect(
            agent.stopOrdered(order: AgentFixture.stopOrderID, timeout: .seconds(10), drain: .seconds(5), now: .zero)
                == [.cancelTimer(.probe), .scheduleTimer(.drainEnd, at: .after(.seconds(5)))])
        #expect(agent.health == (alive: true, ready: false))
        #expect(
            agent.timerFired(.drainEnd, now: .after(.seconds(5))) == [
                .signal(15), .scheduleTimer(.stopDeadline, at: .after(.seconds(15))),
            ])
        #expect(
            agent.processExited(.exited(0), now: .after(.seconds(6))).contains(
                .send(
                    .stopped(.stopped(.exited(0))), id: AgentFixture.firstAfterSetupID,
                    replyTo: AgentFixture.stopOrderID)))
        #expect(agent.health == (alive: false, ready: false))
    }

    @Test("A kill order during the drain kills at once")
    func killDuringDrain() {
        var agent = drainingAgent()
        #expect(
            agent.killOrdered(order: AgentFixture.killOrderID, now: .after(.seconds(1))) == [
                .cancelTimer(.drainEnd), .signal(9),
            ])
        #expect(agent.timerFired(.drainEnd, now: .after(.seconds(5))) == [])
        #expect(
            agent.processExited(.signalled(9), now: .after(.seconds(1))).contains(
                .send(.stopped(.killed), id: AgentFixture.firstAfterSetupID, replyTo: AgentFixture.killOrderID)))
    }

    @Test("A process that ends during the drain answers the stop order")
    func endsDuringDrain() {
        var agent = drainingAgent()
        #expect(
            agent.processExited(.exited(0), now: .after(.seconds(1))).contains(
                .send(
                    .stopped(.stopped(.exited(0))), id: AgentFixture.firstAfterSetupID,
                    replyTo: AgentFixture.stopOrderID)))
    }
}
