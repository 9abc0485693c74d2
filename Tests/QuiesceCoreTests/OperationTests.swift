import QuiesceCore
import Testing

/// The agent's own SIGTERM, asking the coordinator first.
@Suite("Agent state machine: coordinated stop")
struct AgentCoordinatedStopTests {
    typealias Agent = AgentStateMachine

    /// Registered (message 1), welcomed, running (started 2, ready 3).
    func runningAgent() -> Agent {
        var agent = Agent(settings: Agent.Settings())
        _ = agent.start(now: .zero)
        _ = agent.welcomed(heartbeatInterval: .seconds(1), now: .zero)
        _ = agent.startOrdered(readiness: nil, now: .zero)
        _ = agent.spawned(pid: 42, now: .zero)
        return agent
    }

    @Test("SIGTERM asks the coordinator; its stop order cancels the fallback and the agent exits after")
    func orderArrives() {
        var agent = runningAgent()
        #expect(
            agent.signalReceived(now: .zero) == [
                .send(.stopRequest, id: 4, replyTo: nil),
                .scheduleTimer(.coordinatedStopFallback, at: .after(.seconds(10))),
            ])
        #expect(
            agent.stopOrdered(order: 50, timeout: .seconds(5), exit: true, now: .after(.seconds(1))) == [
                .cancelTimer(.coordinatedStopFallback), .cancelTimer(.probe), .signal(15),
                .scheduleTimer(.stopDeadline, at: .after(.seconds(6))),
            ])
        _ = agent.processExited(.exited(0), now: .after(.seconds(2)))
        #expect(agent.acknowledged(replyTo: 5, now: .after(.seconds(2))).last == .exit(0))
    }

    @Test(
        "An agent that got SIGTERM exits after its stop even when the orders, part of another service's stop, say stay")
    func signalledAgentExitsWhateverTheOrder() {
        var agent = runningAgent()
        _ = agent.signalReceived(now: .zero)
        _ = agent.stopOrdered(order: 50, timeout: .seconds(5), exit: false, now: .after(.seconds(1)))
        _ = agent.stopOrdered(order: 50, timeout: .seconds(5), exit: false, now: .after(.seconds(2)))
        _ = agent.processExited(.exited(0), now: .after(.seconds(2)))
        #expect(
            agent.acknowledged(replyTo: 5, now: .after(.seconds(2))).last == .exit(0),
            "the repeated order did not change it")
        var late = runningAgent()
        _ = late.stopOrdered(order: 50, timeout: .seconds(5), exit: false, now: .after(.seconds(1)))
        #expect(late.signalReceived(now: .after(.seconds(1))).isEmpty, "already stopping")
        _ = late.processExited(.signalled(15), now: .after(.seconds(2)))
        #expect(
            late.acknowledged(replyTo: 4, now: .after(.seconds(2))).last == .exit(143),
            "a signal during the stop still ends the agent")
        var killed = runningAgent()
        _ = killed.signalReceived(now: .zero)
        _ = killed.killOrdered(order: 51, exit: false, now: .after(.seconds(1)))
        _ = killed.processExited(.signalled(9), now: .after(.seconds(1)))
        #expect(killed.acknowledged(replyTo: 5, now: .after(.seconds(1))).last == .exit(137))
    }

    @Test("No order in time, a refusal, or a second SIGTERM: the agent stops the service locally")
    func fallback() {
        var silent = runningAgent()
        _ = silent.signalReceived(now: .zero)
        #expect(
            silent.timerFired(.coordinatedStopFallback, now: .after(.seconds(10))) == [
                .cancelTimer(.coordinatedStopFallback), .cancelTimer(.probe), .signal(15),
                .scheduleTimer(.stopDeadline, at: .after(.seconds(20))),
            ])
        var refused = runningAgent()
        _ = refused.signalReceived(now: .zero)
        #expect(refused.stopRequestRefused(now: .zero).contains(.signal(15)))
        var impatient = runningAgent()
        _ = impatient.signalReceived(now: .zero)
        #expect(impatient.signalReceived(now: .zero).contains(.signal(15)))
    }

    @Test("A stop without exit leaves the agent waiting for a new start")
    func stayAfterStop() {
        var agent = runningAgent()
        _ = agent.stopOrdered(order: 9, timeout: .seconds(5), exit: false, now: .zero)
        _ = agent.processExited(.exited(0), now: .zero)
        #expect(
            agent.acknowledged(replyTo: 4, now: .zero) == [.cancelTimer(.reportRetry), .cancelTimer(.reportPatience)])
        #expect(agent.health == (alive: false, ready: false))
        #expect(agent.startOrdered(readiness: nil, now: .zero) == [.spawn])
        #expect(
            agent.spawned(pid: 43, now: .zero) == [
                .send(.started(pid: 43), id: 5, replyTo: nil), .send(.ready, id: 6, replyTo: nil),
            ])
    }
}
