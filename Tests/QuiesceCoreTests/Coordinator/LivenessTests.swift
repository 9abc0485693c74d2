import QuiesceCore
import Testing

/// Whether an agent is alive: silence makes it suspect, then lost; a closed connection is not a loss.
@Suite("Coordinator state machine: liveness")
struct LivenessTests {
    typealias Coordinator = CoordinatorStateMachine

    let configuration: Configuration
    let clean = StopOutcome.stopped(.exited(0))

    init() throws {
        configuration = try CoordinatorFixtures.seedConfiguration()
    }

    @Test("An agent silent past agent_lost_after is lost; hearing from it pushes the timer back")
    func liveness() throws {
        var clock = ManualClock()
        var coordinator = Coordinator(configuration: configuration, now: clock.now)
        #expect(
            try CoordinatorFixtures.register("database", on: &coordinator, now: clock.now)
                == CoordinatorFixtures.connected("database", host: "host-database", now: clock.now))

        clock.advance(by: .seconds(3))
        #expect(
            withoutRetransmission(coordinator.heard(from: "database", now: clock.now)) == [
                .scheduleTimer(.suspect("database"), at: .after(.seconds(5))),
                .scheduleTimer(.lost("database"), at: .after(.seconds(8))),
            ])
        #expect(withoutRetransmission(coordinator.heard(from: "cache", now: clock.now)) == [])
        clock.advance(by: .seconds(2))
        #expect(
            withoutRetransmission(coordinator.timerFired(.suspect("database"), now: clock.now)) == [
                .progress(.agentSuspect("database"))
            ])
        #expect(coordinator.status(now: clock.now).first?.suspect == true)
        clock.advance(by: .seconds(3))
        #expect(
            withoutRetransmission(coordinator.timerFired(.lost("database"), now: clock.now)) == [
                .cancelTimer(.suspect("database")),
                .cancelTimer(.lost("database")),
                .progress(.agentLost("database")),
            ])
        #expect(!coordinator.isConnected("database"))
        #expect(coordinator.status(now: clock.now).first?.state == .lost)
        #expect(withoutRetransmission(coordinator.timerFired(.lost("database"), now: clock.now)) == [])

        clock.advance(by: .seconds(1))
        #expect(
            try CoordinatorFixtures.register("database", on: &coordinator, now: clock.now)
                == CoordinatorFixtures.connected("database", host: "host-database", now: clock.now),
            "registered again, it waits for cache as before")
        #expect(coordinator.status(now: clock.now).first?.state == .waiting)
        #expect(coordinator.isConnected("database"))
    }

    @Test("A closed connection during the shutdown is not a loss: the agent registering again gets its order again")
    func closedConnectionDuringShutdown() throws {
        var clock = ManualClock()
        var coordinator = try CoordinatorFixtures.runningFleet(clock: &clock)
        #expect(coordinator.shutdownRequested(now: clock.now) == CoordinatorFixtures.fleetShutdownBegan(now: clock.now))
        coordinator.connectionClosed("api", now: clock.now)
        #expect(coordinator.isConnected("api"), "no loss, and the wave waits")
        #expect(coordinator.isUnreachable("api"))
        #expect(coordinator.status(now: clock.now).last?.connected == false)
        #expect(coordinator.status(now: clock.now).last?.state == .stopping)

        clock.advance(by: .seconds(1))
        let back = try coordinator.agentRegistered(
            "api", host: "host-api", snapshot: .stopping(pid: 12), now: clock.now
        ).get()
        #expect(
            back.contains(.send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "api")), "ordered again")
        let next = coordinator.stopAcknowledged("api", outcome: clean, now: clock.now)
        #expect(next.contains { if case .send(.stop, to: "database") = $0 { true } else { false } })

        // Gone for good: lost once agent_lost_after has passed since it was last heard.
        coordinator.connectionClosed("cache", now: clock.now)
        #expect(coordinator.isConnected("cache") && coordinator.isUnreachable("cache"), "not lost yet")
        clock.advance(by: .seconds(5))
        #expect(coordinator.timerFired(.lost("cache"), now: clock.now).contains(.progress(.agentLost("cache"))))
    }

    @Test("An agent silent past agent_suspect_after is suspect until it is heard from again")
    func suspectThenBack() throws {
        var coordinator = Coordinator(configuration: configuration, now: .zero)
        #expect(
            try coordinator.agentRegistered("database", host: "h", now: .zero).get()
                == CoordinatorFixtures.connected("database", host: "h", now: .zero))
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

    @Test("An agent that falls silent once its service stopped on an order is not called suspect")
    func silentAfterStopIsNoNews() throws {
        var clock = ManualClock()
        var coordinator = try CoordinatorFixtures.runningFleet(clock: &clock)
        #expect(coordinator.shutdownRequested(now: clock.now) == CoordinatorFixtures.fleetShutdownBegan(now: clock.now))
        _ = coordinator.stopAcknowledged("api", outcome: clean, now: clock.now)
        #expect(coordinator.status(now: clock.now).last?.state == .stopped)
        clock.advance(by: .seconds(2))
        #expect(coordinator.timerFired(.suspect("api"), now: clock.now) == [], "api's agent exits as it was told")
        #expect(coordinator.status(now: clock.now).last?.suspect == false)
        #expect(
            coordinator.timerFired(.suspect("database"), now: clock.now) == [.progress(.agentSuspect("database"))],
            "database, still to stop, is suspect when silent")
    }
}
