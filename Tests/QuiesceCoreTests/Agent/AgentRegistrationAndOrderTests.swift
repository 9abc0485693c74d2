import Testing

@testable import QuiesceCore

/// The agent, event by event, with a manual clock: its registration, and the coordinator's orders.
@Suite("Agent state machine")
struct AgentStateMachineTests {
    typealias Agent = AgentStateMachine
    let sigterm: Int32 = 15
    let sigkill: Int32 = 9

    @Test("Registration repeats until welcomed, then heartbeats take over")
    func registration() {
        let repeatedRegistrationID = AgentFixture.registrationID + 1
        let heartbeatID = repeatedRegistrationID + 1
        var clock = ManualClock()
        var agent = Agent(settings: Agent.Settings())
        #expect(
            agent.start(now: clock.now) == [
                .send(.register(.idle), id: AgentFixture.registrationID, replyTo: nil),
                .scheduleTimer(.registration, at: .after(.seconds(1))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            agent.timerFired(.registration, now: clock.now) == [
                .send(.register(.idle), id: repeatedRegistrationID, replyTo: nil),
                .scheduleTimer(.registration, at: .after(.seconds(2))),
            ])
        #expect(
            agent.welcomed(heartbeatInterval: .milliseconds(500), lostAfter: .seconds(3), epoch: 7, now: clock.now) == [
                .cancelTimer(.registration), .scheduleTimer(.heartbeat, at: .after(.milliseconds(1500))),
                .scheduleTimer(.coordinatorSilence, at: .after(.seconds(4))),
            ])
        #expect(
            agent.welcomed(heartbeatInterval: .milliseconds(500), lostAfter: .seconds(3), epoch: 7, now: clock.now)
                == [], "a repeated welcome changes nothing")
        #expect(agent.accepts(epoch: 7) && agent.accepts(epoch: nil) && !agent.accepts(epoch: 6))
        clock.advance(by: .milliseconds(500))
        #expect(
            agent.timerFired(.heartbeat, now: clock.now) == [
                .send(.heartbeat, id: heartbeatID, replyTo: nil), .scheduleTimer(.heartbeat, at: .after(.seconds(2))),
            ])
        #expect(agent.timerFired(.registration, now: clock.now) == [], "no registration once registered")
    }

    @Test("A handshake that succeeds sends the registration at once, not at the next retry")
    func registrationOnConnect() {
        var clock = ManualClock()
        var agent = Agent(settings: Agent.Settings())
        _ = agent.start(now: clock.now)
        clock.advance(by: .milliseconds(3))
        #expect(
            agent.connectedToCoordinator(now: clock.now) == [
                .send(.register(.idle), id: AgentFixture.registrationID + 1, replyTo: nil),
                .scheduleTimer(.registration, at: .after(.milliseconds(1003))),
            ])
        _ = agent.welcomed(heartbeatInterval: .seconds(1), now: clock.now)
        #expect(agent.connectedToCoordinator(now: clock.now) == [], "a registered agent does not register again")
        var refused = Agent(settings: Agent.Settings())
        _ = refused.start(now: clock.now)
        #expect(refused.refused(now: clock.now) == [.exit(78)])
        #expect(refused.connectedToCoordinator(now: clock.now) == [], "nor one that is exiting")
    }

    @Test("A coordinator that no longer knows the agent gets a new registration")
    func reregistration() {
        let clock = ManualClock()
        var agent = AgentFixture.runningAgent()
        #expect(
            agent.notRegistered(now: clock.now) == [
                .cancelTimer(.heartbeat), .cancelTimer(.coordinatorSilence),
                .send(.register(.ready(pid: AgentFixture.pid)), id: AgentFixture.firstAfterSetupID, replyTo: nil),
                .scheduleTimer(.registration, at: .after(.seconds(1))),
            ])
        #expect(agent.timerFired(.heartbeat, now: clock.now) == [])
    }

    @Test("A start order spawns the process once; it is reported started and ready")
    func start() {
        let clock = ManualClock()
        var agent = Agent(settings: Agent.Settings())
        #expect(
            agent.start(now: clock.now) == [
                .send(.register(.idle), id: AgentFixture.registrationID, replyTo: nil),
                .scheduleTimer(.registration, at: .after(.seconds(1))),
            ])
        #expect(agent.startOrdered(readiness: nil, now: clock.now) == [.spawn])
        #expect(
            agent.spawned(pid: AgentFixture.pid, now: clock.now) == [
                .send(.started(pid: AgentFixture.pid), id: AgentFixture.startedID, replyTo: nil),
                .send(.ready, id: AgentFixture.readyID, replyTo: nil),
            ])
        #expect(
            agent.startOrdered(readiness: nil, now: clock.now) == [
                .send(.ready, id: AgentFixture.firstAfterSetupID, replyTo: nil)
            ],
            "a repeated start order is answered, not obeyed twice")
    }

    @Test("A stop order signals the group; the process's end is the acknowledgement, and its ack ends the agent")
    func cleanStop() {
        var clock = ManualClock()
        var agent = AgentFixture.runningAgent()
        #expect(
            agent.stopOrdered(order: AgentFixture.stopOrderID, timeout: .seconds(10), now: clock.now) == [
                .cancelTimer(.probe), .signal(sigterm), .scheduleTimer(.stopDeadline, at: .after(.seconds(10))),
            ])
        clock.advance(by: .seconds(2))
        #expect(
            agent.processExited(.exited(0), now: clock.now) == [
                .cancelTimer(.stopDeadline), .signal(sigkill),
                .send(
                    .stopped(.stopped(.exited(0))), id: AgentFixture.firstAfterSetupID,
                    replyTo: AgentFixture.stopOrderID),
                .scheduleTimer(.reportRetry, at: .after(.milliseconds(2500))),
                .scheduleTimer(.reportPatience, at: .after(.seconds(7))),
            ])
        #expect(
            agent.acknowledged(replyTo: AgentFixture.readyID, now: clock.now) == [],
            "an ack of another message does not end the agent")
        #expect(
            agent.acknowledged(replyTo: AgentFixture.firstAfterSetupID, now: clock.now) == [
                .cancelTimer(.reportRetry), .cancelTimer(.reportPatience), .exit(0),
            ])
    }

    @Test("A process that outlives its stop timeout is killed and reported killed after timeout")
    func stopTimeout() {
        var clock = ManualClock()
        var agent = AgentFixture.runningAgent()
        #expect(
            agent.stopOrdered(order: AgentFixture.stopOrderID, timeout: .seconds(1), now: clock.now) == [
                .cancelTimer(.probe), .signal(sigterm), .scheduleTimer(.stopDeadline, at: .after(.seconds(1))),
            ])
        clock.advance(by: .seconds(1))
        #expect(agent.timerFired(.stopDeadline, now: clock.now) == [.signal(sigkill)])
        #expect(agent.timerFired(.stopDeadline, now: clock.now) == [], "killed once")
        let actions = agent.processExited(.signalled(sigkill), now: clock.now)
        #expect(
            actions.contains(
                .send(
                    .stopped(.killedAfterTimeout), id: AgentFixture.firstAfterSetupID, replyTo: AgentFixture.stopOrderID
                )
            ))
        clock.advance(by: .seconds(5))
        #expect(agent.timerFired(.reportPatience, now: clock.now) == [.cancelTimer(.reportRetry), .exit(137)])
    }

    @Test("A kill order kills at once, during a stop too, and is reported as killed")
    func kill() {
        let clock = ManualClock()
        var agent = AgentFixture.runningAgent()
        #expect(
            agent.stopOrdered(order: AgentFixture.stopOrderID, timeout: .seconds(30), now: clock.now) == [
                .cancelTimer(.probe), .signal(sigterm), .scheduleTimer(.stopDeadline, at: .after(.seconds(30))),
            ])
        #expect(
            agent.killOrdered(order: AgentFixture.killOrderID, now: clock.now) == [
                .cancelTimer(.stopDeadline), .signal(sigkill),
            ])
        #expect(agent.killOrdered(order: AgentFixture.laterOrderID, now: clock.now) == [], "already killed")
        #expect(
            agent.processExited(.signalled(sigkill), now: clock.now).contains(
                .send(.stopped(.killed), id: AgentFixture.firstAfterSetupID, replyTo: AgentFixture.laterOrderID)))
    }

    @Test("The final report is repeated until acknowledged; a repeated order gets the same report")
    func reportRetransmission() {
        var clock = ManualClock()
        var agent = AgentFixture.runningAgent()
        let report = AgentFixture.firstAfterSetupID
        #expect(
            agent.stopOrdered(order: AgentFixture.stopOrderID, timeout: .seconds(10), now: clock.now) == [
                .cancelTimer(.probe), .signal(sigterm), .scheduleTimer(.stopDeadline, at: .after(.seconds(10))),
            ])
        #expect(
            agent.processExited(.exited(0), now: clock.now) == [
                .cancelTimer(.stopDeadline), .signal(sigkill),
                .send(.stopped(.stopped(.exited(0))), id: report, replyTo: AgentFixture.stopOrderID),
            ] + AgentFixture.reportTimers(at: clock.now))
        clock.advance(by: .milliseconds(500))
        #expect(
            agent.timerFired(.reportRetry, now: clock.now) == [
                .send(.stopped(.stopped(.exited(0))), id: report, replyTo: AgentFixture.stopOrderID),
                .scheduleTimer(.reportRetry, at: .after(.seconds(1))),
            ])
        #expect(
            agent.stopOrdered(order: AgentFixture.repeatedOrderID, timeout: .seconds(10), now: clock.now) == [
                .send(.stopped(.stopped(.exited(0))), id: report, replyTo: AgentFixture.repeatedOrderID)
            ])
        #expect(agent.acknowledged(replyTo: report, now: clock.now).last == .exit(0))
    }

    @Test("A process that ends on its own is reported exited; a later stop order learns it had already exited")
    func exitedOnItsOwn() {
        let clock = ManualClock()
        var agent = AgentFixture.runningAgent()
        let exitedReport = AgentFixture.firstAfterSetupID
        let stopReport = exitedReport + 1
        #expect(
            agent.processExited(.exited(3), now: clock.now) == [
                .cancelTimer(.probe), .signal(sigkill), .send(.exited(.exited(3)), id: exitedReport, replyTo: nil),
                .scheduleTimer(.reportRetry, at: .after(.milliseconds(500))),
                .scheduleTimer(.reportPatience, at: .after(.seconds(5))),
            ])
        #expect(
            agent.stopOrdered(order: AgentFixture.laterOrderID, timeout: .seconds(10), now: clock.now) == [
                .send(.stopped(.alreadyExited(.exited(3))), id: stopReport, replyTo: AgentFixture.laterOrderID),
                .scheduleTimer(.reportRetry, at: .after(.milliseconds(500))),
                .scheduleTimer(.reportPatience, at: .after(.seconds(5))),
            ])
        #expect(agent.acknowledged(replyTo: stopReport, now: clock.now).last == .exit(3))
    }

    @Test("Orders without a process: never started, or could not be spawned")
    func noProcess() {
        let stopOrderID: UInt64 = 5
        let killOrderID: UInt64 = 6
        let clock = ManualClock()
        var idle = Agent(settings: Agent.Settings())
        #expect(
            idle.start(now: clock.now) == [
                .send(.register(.idle), id: AgentFixture.registrationID, replyTo: nil),
                .scheduleTimer(.registration, at: .after(.seconds(1))),
            ])
        let idleReport = AgentFixture.registrationID + 1
        #expect(
            idle.stopOrdered(order: stopOrderID, timeout: .seconds(1), now: clock.now).first
                == .send(.stopped(.notStarted), id: idleReport, replyTo: stopOrderID))
        #expect(idle.acknowledged(replyTo: idleReport, now: clock.now).last == .exit(0))

        var failed = AgentFixture.orderedToStart(welcomed: false)
        let startFailedID = AgentFixture.registrationID + 1
        let failedReport = startFailedID + 1
        #expect(
            failed.spawnFailed("cannot start \"x\"", now: clock.now) == [
                .send(.startFailed("cannot start \"x\""), id: startFailedID, replyTo: nil)
            ])
        #expect(
            failed.killOrdered(order: killOrderID, now: clock.now).first
                == .send(.stopped(.notStarted), id: failedReport, replyTo: killOrderID))
        #expect(failed.acknowledged(replyTo: failedReport, now: clock.now).last == .exit(Agent.ExitCode.spawnFailed))
    }

    @Test("The agent's own SIGTERM stops the process locally; a second one kills it")
    func ownSignal() {
        var settings = Agent.Settings()
        settings.localStopTimeout = .seconds(3)
        var clock = ManualClock()
        var agent = AgentFixture.runningAgent(settings: settings, welcomed: false)
        #expect(
            agent.signalReceived(now: clock.now) == [
                .cancelTimer(.probe), .signal(sigterm), .scheduleTimer(.stopDeadline, at: .after(.seconds(3))),
            ])
        clock.advance(by: .seconds(1))
        #expect(agent.signalReceived(now: clock.now) == [.cancelTimer(.stopDeadline), .signal(sigkill)])
        #expect(
            agent.processExited(.signalled(sigkill), now: clock.now).contains(
                .send(.exited(.signalled(sigkill)), id: AgentFixture.firstAfterSetupID, replyTo: nil)))
    }

    @Test("Signals for the service are passed on only while there is a process")
    func forwarding() {
        let clock = ManualClock()
        var idle = Agent(settings: Agent.Settings())
        #expect(
            idle.start(now: clock.now) == [
                .send(.register(.idle), id: AgentFixture.registrationID, replyTo: nil),
                .scheduleTimer(.registration, at: .after(.seconds(1))),
            ])
        #expect(idle.signalToForward(1) == [])
        let running = AgentFixture.runningAgent()
        #expect(running.signalToForward(1) == [.forward(1)])
    }

    @Test("Refused: the agent exits with 78, killing a process it had started")
    func refused() {
        let clock = ManualClock()
        var fresh = Agent(settings: Agent.Settings())
        #expect(
            fresh.start(now: clock.now) == [
                .send(.register(.idle), id: AgentFixture.registrationID, replyTo: nil),
                .scheduleTimer(.registration, at: .after(.seconds(1))),
            ])
        #expect(fresh.refused(now: clock.now) == [.exit(78)])
        var running = AgentFixture.runningAgent()
        #expect(running.refused(now: clock.now) == [.signal(sigkill), .exit(78)])
    }
}
