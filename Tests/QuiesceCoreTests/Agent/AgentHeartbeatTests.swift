import Testing

@testable import QuiesceCore

@Suite("Agent heartbeats")
struct AgentHeartbeatTests {
    typealias Agent = AgentStateMachine

    @Test("The coordinator's heartbeat is answered at once, and the answer stands for the agent's next own heartbeat")
    func answeredAtOnce() {
        var agent = Agent(settings: Agent.Settings())
        _ = agent.start(now: .zero)
        #expect(agent.coordinatorHeartbeat(70, now: .zero) == [], "not registered: nothing to answer")
        _ = agent.welcomed(heartbeatInterval: .seconds(1), lostAfter: .seconds(5), now: .zero)
        #expect(
            agent.coordinatorHeartbeat(71, now: .after(.milliseconds(600))) == [
                .send(.heartbeat, id: AgentFixture.registrationID + 1, replyTo: 71),
                .scheduleTimer(.heartbeat, at: .after(.milliseconds(1600))),
            ])
        #expect(
            agent.timerFired(.heartbeat, now: .after(.milliseconds(1600))) == [
                .send(.heartbeat, id: AgentFixture.registrationID + 2, replyTo: nil),
                .scheduleTimer(.heartbeat, at: .after(.milliseconds(2600))),
            ], "its own heartbeat when the coordinator's does not come")
    }
}
