import QuiesceCore
import Testing

/// Readiness probes, event by event.
@Suite("Agent state machine: readiness")
struct AgentReadinessTests {
    typealias Agent = AgentStateMachine
    /// Quick checks are off (an initial interval of the interval): the checks run every second.
    let probe = ReadinessProbe(
        check: .tcp(host: "127.0.0.1", port: 5432), interval: .seconds(1), failureThreshold: 2,
        initialDelay: .seconds(2), initialInterval: .seconds(1))
    /// The first message after `started`.
    let firstCheckReportID = AgentFixture.startedID + 1

    /// Registered and ordered to start with `probe` from the start order (or its `own`); not spawned yet.
    func probingAgent(own: ReadinessProbe? = nil) -> Agent {
        var settings = Agent.Settings()
        settings.readiness = own
        return AgentFixture.orderedToStart(settings: settings, welcomed: false, readiness: probe)
    }

    @Test("The first check runs after the initial delay; ready is sent only once a check passes")
    func readyAfterCheck() {
        var clock = ManualClock()
        var agent = probingAgent()
        #expect(
            agent.spawned(pid: AgentFixture.pid, now: clock.now) == [
                .send(.started(pid: AgentFixture.pid), id: AgentFixture.startedID, replyTo: nil),
                .scheduleTimer(.probe, at: .after(.seconds(2))),
            ])
        clock.advance(by: .seconds(2))
        #expect(agent.timerFired(.probe, now: clock.now) == [.runProbe(probe)])
        #expect(
            agent.probeFinished(error: "connection refused", now: clock.now) == [
                .send(.unready("connection refused"), id: firstCheckReportID, replyTo: nil),
                .scheduleTimer(.probe, at: .after(.seconds(3))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            agent.probeFinished(error: nil, now: clock.now) == [
                .send(.ready, id: firstCheckReportID + 1, replyTo: nil),
                .scheduleTimer(.probe, at: .after(.seconds(4))),
            ])
        #expect(
            agent.probeFinished(error: nil, now: clock.now) == [.scheduleTimer(.probe, at: .after(.seconds(4)))],
            "ready is said once")
    }

    @Test("After ready, the failure threshold reports unready once; a success reports ready again")
    func liveness() {
        let clock = ManualClock()
        var agent = AgentFixture.runningAgent(welcomed: false, readiness: probe)
        let next: Agent.Action = .scheduleTimer(.probe, at: .after(.seconds(1)))
        let readyID = firstCheckReportID
        #expect(agent.probeFinished(error: nil, now: clock.now) == [.send(.ready, id: readyID, replyTo: nil), next])
        #expect(agent.probeFinished(error: "timeout", now: clock.now) == [next], "one failure is below the threshold")
        #expect(
            agent.probeFinished(error: "timeout", now: clock.now) == [
                .send(.unready("timeout"), id: readyID + 1, replyTo: nil), next,
            ])
        #expect(agent.probeFinished(error: "timeout", now: clock.now) == [next], "unready is said once")
        #expect(
            agent.probeFinished(error: nil, now: clock.now) == [.send(.ready, id: readyID + 2, replyTo: nil), next])
    }

    @Test("Until the first pass, checks follow quickly and repeated failures are not reported; then the interval")
    func quickChecksUntilReady() {
        var clock = ManualClock()
        let quick = ReadinessProbe(check: .tcp(host: "127.0.0.1", port: 5432), interval: .seconds(1))
        var agent = AgentFixture.runningAgent(welcomed: false, readiness: quick)
        #expect(agent.timerFired(.probe, now: clock.now) == [.runProbe(quick)])
        clock.advance(by: .milliseconds(2))
        #expect(
            agent.probeFinished(error: "connection refused", now: clock.now) == [
                .send(.unready("connection refused"), id: firstCheckReportID, replyTo: nil),
                .scheduleTimer(.probe, at: .after(.milliseconds(12))),
            ])
        clock.advance(by: .milliseconds(10))
        #expect(agent.timerFired(.probe, now: clock.now) == [.runProbe(quick)])
        clock.advance(by: .milliseconds(3))
        #expect(
            agent.probeFinished(error: "connection refused", now: clock.now) == [
                .scheduleTimer(.probe, at: .after(.milliseconds(25)))
            ], "the same failure is not reported again within an interval")
        clock.advance(by: .milliseconds(10))
        #expect(agent.timerFired(.probe, now: clock.now) == [.runProbe(quick)])
        #expect(
            agent.probeFinished(error: nil, now: clock.now) == [
                .send(.ready, id: firstCheckReportID + 1, replyTo: nil),
                .scheduleTimer(.probe, at: .after(.milliseconds(1025))),
            ])
    }

    @Test("A restarted process is checked quickly again until its first pass")
    func quickChecksAfterRestart() {
        var clock = ManualClock()
        let quick = ReadinessProbe(check: .tcp(host: "127.0.0.1", port: 5432), interval: .seconds(1))
        var agent = AgentFixture.runningAgent(
            welcomed: false, readiness: quick, restart: RestartPolicy(mode: .always, backoff: .seconds(1)))
        _ = agent.probeFinished(error: nil, now: clock.now)
        clock.advance(by: .seconds(20))
        _ = agent.processExited(.exited(1), now: clock.now)
        clock.advance(by: .seconds(1))
        #expect(agent.timerFired(.restart, now: clock.now) == [.spawn])
        _ = agent.spawned(pid: AgentFixture.pid + 1, now: clock.now)
        #expect(agent.timerFired(.probe, now: clock.now) == [.runProbe(quick)])
        #expect(
            agent.probeFinished(error: "connection refused", now: clock.now).last
                == .scheduleTimer(.probe, at: .after(.milliseconds(21_010))))
    }

    @Test("The agent's own probe wins over the coordinator's")
    func ownProbeWins() {
        let clock = ManualClock()
        let own = ReadinessProbe(check: .exec(command: "true"), interval: .milliseconds(100))
        var agent = probingAgent(own: own)
        #expect(
            agent.spawned(pid: AgentFixture.pid, now: clock.now) == [
                .send(.started(pid: AgentFixture.pid), id: AgentFixture.startedID, replyTo: nil),
                .scheduleTimer(.probe, at: .after(own.initialDelay)),
            ])
        #expect(agent.timerFired(.probe, now: clock.now) == [.runProbe(own)])
    }

    @Test("Checks stop with the stop order, and a late result is ignored")
    func checksStopWithTheService() {
        let clock = ManualClock()
        var agent = AgentFixture.runningAgent(welcomed: false, readiness: probe)
        #expect(
            agent.stopOrdered(order: AgentFixture.laterOrderID, timeout: .seconds(5), now: clock.now).first
                == .cancelTimer(.probe))
        #expect(agent.probeFinished(error: nil, now: clock.now) == [])
        #expect(agent.timerFired(.probe, now: clock.now) == [])
    }
}
