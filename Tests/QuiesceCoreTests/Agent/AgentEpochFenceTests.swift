import Testing

@testable import QuiesceCore

/// A coordinator whose epoch is lower than the one that welcomed the agent, event by event.
@Suite("Agent state machine: earlier coordinators")
struct AgentEpochFenceTests {
    typealias Agent = AgentStateMachine

    @Test("A lower epoch's welcome is ignored, its orders are stale, and the agent keeps registering")
    func lowerEpochIgnored() {
        var clock = ManualClock()
        var agent = AgentFixture.runningAgent(epoch: 7)
        clock.advance(by: .seconds(5))
        let silence = agent.timerFired(.coordinatorSilence, now: clock.now)
        #expect(silence.contains(.scheduleTimer(.registration, at: .after(.seconds(6)))))
        #expect(agent.isEarlier(epoch: 6) && agent.isEarlier(epoch: 0))
        #expect(
            agent.welcomed(heartbeatInterval: .seconds(1), lostAfter: .seconds(5), epoch: 6, now: clock.now) == [],
            "no heartbeat, no registration cancelled")
        #expect(agent.epoch == 7)
        #expect(!agent.accepts(epoch: 6), "the lower coordinator's orders are dropped")
        clock.advance(by: .seconds(1))
        #expect(
            agent.timerFired(.registration, now: clock.now) == [
                .send(
                    .register(.ready(pid: AgentFixture.pid)), id: AgentFixture.firstAfterSetupID + 1, replyTo: nil),
                .scheduleTimer(.registration, at: .after(.seconds(7))),
            ])
        #expect(agent.health == (alive: true, ready: true), "the service keeps running")
    }

    @Test("The same or a higher epoch is welcome: a coordinator restarts with a higher one")
    func sameOrHigherEpochWelcome() {
        var agent = AgentFixture.runningAgent(epoch: 7)
        #expect(!agent.isEarlier(epoch: 7) && !agent.isEarlier(epoch: 8))
        _ = agent.timerFired(.coordinatorSilence, now: .after(.seconds(5)))
        #expect(
            agent.welcomed(heartbeatInterval: .seconds(1), lostAfter: .seconds(5), epoch: 8, now: .after(.seconds(5)))
                .contains(.cancelTimer(.registration)))
        #expect(agent.epoch == 8 && agent.accepts(epoch: 8) && !agent.accepts(epoch: 7))
    }

    @Test("Messages without an epoch are not earlier; a welcome without one is epoch 0")
    func missingEpoch() {
        var agent = AgentFixture.runningAgent(epoch: 7)
        #expect(!agent.isEarlier(epoch: nil))
        _ = agent.timerFired(.coordinatorSilence, now: .after(.seconds(5)))
        #expect(agent.welcomed(heartbeatInterval: .seconds(1), now: .after(.seconds(5))) == [])
        #expect(agent.epoch == 7)
    }

    @Test("With acceptsLowerEpoch the agent obeys a coordinator of a lower epoch")
    func lowerEpochAccepted() {
        var settings = Agent.Settings()
        settings.acceptsLowerEpoch = true
        var agent = AgentFixture.runningAgent(settings: settings, epoch: 7)
        #expect(!agent.isEarlier(epoch: 6))
        _ = agent.timerFired(.coordinatorSilence, now: .after(.seconds(5)))
        #expect(
            agent.welcomed(heartbeatInterval: .seconds(1), lostAfter: .seconds(5), epoch: 6, now: .after(.seconds(5)))
                .contains(.cancelTimer(.registration)))
        #expect(agent.epoch == 6 && agent.accepts(epoch: 6))
    }
}
