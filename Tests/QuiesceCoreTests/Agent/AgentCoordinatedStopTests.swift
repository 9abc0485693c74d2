import QuiesceCore
import Testing

/// The agent's own SIGTERM, asking the coordinator first.
@Suite("Agent state machine: coordinated stop")
struct AgentCoordinatedStopTests {
    typealias Agent = AgentStateMachine
    /// The coordinator's stop order that answers the agent's request.
    let coordinatedStopOrderID: UInt64 = 50
    /// A kill order that answers it.
    let coordinatedKillOrderID: UInt64 = 51
    /// The agent's request: the first message after the setup.
    let stopRequestID = AgentFixture.firstAfterSetupID

    /// A running agent that got its own SIGTERM at t+0 and asked the coordinator to stop its service.
    func askingAgent() -> Agent {
        var agent = AgentFixture.runningAgent()
        #expect(
            agent.signalReceived(now: .zero) == [
                .send(.stopRequest, id: stopRequestID, replyTo: nil),
                .scheduleTimer(.coordinatedStopFallback, at: .after(.seconds(10))),
            ])
        return agent
    }

    @Test("SIGTERM asks the coordinator; its stop order cancels the fallback and the agent exits after")
    func orderArrives() {
        var agent = askingAgent()
        #expect(
            agent.stopOrdered(order: coordinatedStopOrderID, timeout: .seconds(5), exit: true, now: .after(.seconds(1)))
                == [
                    .cancelTimer(.coordinatedStopFallback), .cancelTimer(.probe), .signal(15),
                    .scheduleTimer(.stopDeadline, at: .after(.seconds(6))),
                ])
        #expect(
            agent.processExited(.exited(0), now: .after(.seconds(2))) == [
                .cancelTimer(.stopDeadline), .signal(9),
                .send(.stopped(.stopped(.exited(0))), id: stopRequestID + 1, replyTo: coordinatedStopOrderID),
            ] + AgentFixture.reportTimers(at: .after(.seconds(2))))
        #expect(agent.acknowledged(replyTo: stopRequestID + 1, now: .after(.seconds(2))).last == .exit(0))
    }

    @Test(
        "An agent that got SIGTERM exits after its stop even when the orders, part of another service's stop, say stay")
    func signalledAgentExitsWhateverTheOrder() {
        var agent = askingAgent()
        #expect(
            agent.stopOrdered(
                order: coordinatedStopOrderID, timeout: .seconds(5), exit: false, now: .after(.seconds(1)))
                == [
                    .cancelTimer(.coordinatedStopFallback), .cancelTimer(.probe), .signal(15),
                    .scheduleTimer(.stopDeadline, at: .after(.seconds(6))),
                ])
        #expect(
            agent.stopOrdered(
                order: coordinatedStopOrderID, timeout: .seconds(5), exit: false, now: .after(.seconds(2)))
                == [])
        #expect(
            agent.processExited(.exited(0), now: .after(.seconds(2))) == [
                .cancelTimer(.stopDeadline), .signal(9),
                .send(.stopped(.stopped(.exited(0))), id: stopRequestID + 1, replyTo: coordinatedStopOrderID),
            ] + AgentFixture.reportTimers(at: .after(.seconds(2))))
        #expect(
            agent.acknowledged(replyTo: stopRequestID + 1, now: .after(.seconds(2))).last == .exit(0),
            "the repeated order did not change it")

        var late = AgentFixture.runningAgent()
        #expect(
            late.stopOrdered(order: coordinatedStopOrderID, timeout: .seconds(5), exit: false, now: .after(.seconds(1)))
                == [.cancelTimer(.probe), .signal(15), .scheduleTimer(.stopDeadline, at: .after(.seconds(6)))])
        #expect(late.signalReceived(now: .after(.seconds(1))).isEmpty, "already stopping")
        let lateReportID = AgentFixture.firstAfterSetupID
        #expect(
            late.processExited(.signalled(15), now: .after(.seconds(2))) == [
                .cancelTimer(.stopDeadline), .signal(9),
                .send(.stopped(.stopped(.signalled(15))), id: lateReportID, replyTo: coordinatedStopOrderID),
            ] + AgentFixture.reportTimers(at: .after(.seconds(2))))
        #expect(
            late.acknowledged(replyTo: lateReportID, now: .after(.seconds(2))).last == .exit(143),
            "a signal during the stop still ends the agent")

        var killed = askingAgent()
        #expect(
            killed.killOrdered(order: coordinatedKillOrderID, exit: false, now: .after(.seconds(1))) == [
                .cancelTimer(.coordinatedStopFallback), .cancelTimer(.probe), .signal(9),
            ])
        #expect(
            killed.processExited(.signalled(9), now: .after(.seconds(1))) == [
                .cancelTimer(.stopDeadline), .signal(9),
                .send(.stopped(.killed), id: stopRequestID + 1, replyTo: coordinatedKillOrderID),
            ] + AgentFixture.reportTimers(at: .after(.seconds(1))))
        #expect(killed.acknowledged(replyTo: stopRequestID + 1, now: .after(.seconds(1))).last == .exit(137))
    }

    @Test("No order in time, a refusal, or a second SIGTERM: the agent stops the service locally")
    func fallback() {
        var silent = askingAgent()
        #expect(
            silent.timerFired(.coordinatedStopFallback, now: .after(.seconds(10))) == [
                .cancelTimer(.coordinatedStopFallback), .cancelTimer(.probe), .signal(15),
                .scheduleTimer(.stopDeadline, at: .after(.seconds(20))),
            ])
        var refused = askingAgent()
        #expect(refused.stopRequestRefused(now: .zero).contains(.signal(15)))
        var impatient = askingAgent()
        #expect(impatient.signalReceived(now: .zero).contains(.signal(15)))
    }

    @Test("A stop without exit leaves the agent waiting for a new start")
    func stayAfterStop() {
        var agent = AgentFixture.runningAgent()
        let reportID = AgentFixture.firstAfterSetupID
        #expect(
            agent.stopOrdered(order: AgentFixture.laterOrderID, timeout: .seconds(5), exit: false, now: .zero) == [
                .cancelTimer(.probe), .signal(15), .scheduleTimer(.stopDeadline, at: .after(.seconds(5))),
            ])
        #expect(
            agent.processExited(.exited(0), now: .zero) == [
                .cancelTimer(.stopDeadline), .signal(9),
                .send(.stopped(.stopped(.exited(0))), id: reportID, replyTo: AgentFixture.laterOrderID),
            ] + AgentFixture.reportTimers(at: .zero))
        #expect(
            agent.acknowledged(replyTo: reportID, now: .zero) == [
                .cancelTimer(.reportRetry), .cancelTimer(.reportPatience),
            ])
        #expect(agent.health == (alive: false, ready: false))
        #expect(agent.startOrdered(readiness: nil, now: .zero) == [.spawn])
        #expect(
            agent.spawned(pid: 43, now: .zero) == [
                .send(.started(pid: 43), id: reportID + 1, replyTo: nil), .send(.ready, id: reportID + 2, replyTo: nil),
            ])
    }
}
