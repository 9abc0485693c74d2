import Testing

@testable import QuiesceCore

/// The agent, event by event, with a manual clock.
@Suite("Agent state machine")
struct AgentStateMachineTests {
    typealias Agent = AgentStateMachine
    let sigterm: Int32 = 15
    let sigkill: Int32 = 9

    /// An agent that registered (message 1), was welcomed, and whose process (pid 42) runs:
    /// `started` is message 2, `ready` message 3.
    func runningAgent(_ clock: ManualClock) -> Agent {
        var agent = Agent(settings: Agent.Settings())
        _ = agent.start(now: clock.now)
        _ = agent.welcomed(heartbeatInterval: .seconds(1), now: clock.now)
        _ = agent.startOrdered(readiness: nil, now: clock.now)
        _ = agent.spawned(pid: 42, now: clock.now)
        return agent
    }

    @Test("Registration repeats until welcomed, then heartbeats take over")
    func registration() {
        var clock = ManualClock()
        var agent = Agent(settings: Agent.Settings())
        #expect(
            agent.start(now: clock.now) == [
                .send(.register(.idle), id: 1, replyTo: nil), .scheduleTimer(.registration, at: .after(.seconds(1))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            agent.timerFired(.registration, now: clock.now) == [
                .send(.register(.idle), id: 2, replyTo: nil), .scheduleTimer(.registration, at: .after(.seconds(2))),
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
                .send(.heartbeat, id: 3, replyTo: nil), .scheduleTimer(.heartbeat, at: .after(.seconds(2))),
            ])
        #expect(agent.timerFired(.registration, now: clock.now) == [], "no registration once registered")
    }

    @Test("A coordinator that no longer knows the agent gets a new registration")
    func reregistration() {
        let clock = ManualClock()
        var agent = runningAgent(clock)
        #expect(
            agent.notRegistered(now: clock.now) == [
                .cancelTimer(.heartbeat), .cancelTimer(.coordinatorSilence),
                .send(.register(.ready(pid: 42)), id: 4, replyTo: nil),
                .scheduleTimer(.registration, at: .after(.seconds(1))),
            ])
        #expect(agent.timerFired(.heartbeat, now: clock.now) == [])
    }

    @Test("A start order spawns the process once; it is reported started and ready")
    func start() {
        let clock = ManualClock()
        var agent = Agent(settings: Agent.Settings())
        _ = agent.start(now: clock.now)
        #expect(agent.startOrdered(readiness: nil, now: clock.now) == [.spawn])
        #expect(
            agent.spawned(pid: 42, now: clock.now) == [
                .send(.started(pid: 42), id: 2, replyTo: nil), .send(.ready, id: 3, replyTo: nil),
            ])
        #expect(
            agent.startOrdered(readiness: nil, now: clock.now) == [.send(.ready, id: 4, replyTo: nil)],
            "a repeated start order is answered, not obeyed twice")
    }

    @Test("A stop order signals the group; the process's end is the acknowledgement, and its ack ends the agent")
    func cleanStop() {
        var clock = ManualClock()
        var agent = runningAgent(clock)
        #expect(
            agent.stopOrdered(order: 7, timeout: .seconds(10), now: clock.now) == [
                .cancelTimer(.probe), .signal(sigterm), .scheduleTimer(.stopDeadline, at: .after(.seconds(10))),
            ])
        clock.advance(by: .seconds(2))
        #expect(
            agent.processExited(.exited(0), now: clock.now) == [
                .cancelTimer(.stopDeadline), .signal(sigkill),
                .send(.stopped(.stopped(.exited(0))), id: 4, replyTo: 7),
                .scheduleTimer(.reportRetry, at: .after(.milliseconds(2500))),
                .scheduleTimer(.reportPatience, at: .after(.seconds(7))),
            ])
        #expect(
            agent.acknowledged(replyTo: 3, now: clock.now) == [], "an ack of another message does not end the agent")
        #expect(
            agent.acknowledged(replyTo: 4, now: clock.now) == [
                .cancelTimer(.reportRetry), .cancelTimer(.reportPatience), .exit(0),
            ])
    }

    @Test("A process that outlives its stop timeout is killed and reported killed after timeout")
    func stopTimeout() {
        var clock = ManualClock()
        var agent = runningAgent(clock)
        _ = agent.stopOrdered(order: 7, timeout: .seconds(1), now: clock.now)
        clock.advance(by: .seconds(1))
        #expect(agent.timerFired(.stopDeadline, now: clock.now) == [.signal(sigkill)])
        #expect(agent.timerFired(.stopDeadline, now: clock.now) == [], "killed once")
        let actions = agent.processExited(.signalled(sigkill), now: clock.now)
        #expect(actions.contains(.send(.stopped(.killedAfterTimeout), id: 4, replyTo: 7)))
        clock.advance(by: .seconds(5))
        #expect(agent.timerFired(.reportPatience, now: clock.now) == [.cancelTimer(.reportRetry), .exit(137)])
    }

    @Test("A kill order kills at once, during a stop too, and is reported as killed")
    func kill() {
        let clock = ManualClock()
        var agent = runningAgent(clock)
        _ = agent.stopOrdered(order: 7, timeout: .seconds(30), now: clock.now)
        #expect(agent.killOrdered(order: 8, now: clock.now) == [.cancelTimer(.stopDeadline), .signal(sigkill)])
        #expect(agent.killOrdered(order: 9, now: clock.now) == [], "already killed")
        #expect(
            agent.processExited(.signalled(sigkill), now: clock.now).contains(
                .send(.stopped(.killed), id: 4, replyTo: 9)))
    }

    @Test("The final report is repeated until acknowledged; a repeated order gets the same report")
    func reportRetransmission() {
        var clock = ManualClock()
        var agent = runningAgent(clock)
        _ = agent.stopOrdered(order: 7, timeout: .seconds(10), now: clock.now)
        _ = agent.processExited(.exited(0), now: clock.now)
        clock.advance(by: .milliseconds(500))
        #expect(
            agent.timerFired(.reportRetry, now: clock.now) == [
                .send(.stopped(.stopped(.exited(0))), id: 4, replyTo: 7),
                .scheduleTimer(.reportRetry, at: .after(.seconds(1))),
            ])
        #expect(
            agent.stopOrdered(order: 11, timeout: .seconds(10), now: clock.now) == [
                .send(.stopped(.stopped(.exited(0))), id: 4, replyTo: 11)
            ])
        #expect(agent.acknowledged(replyTo: 4, now: clock.now).last == .exit(0))
    }

    @Test("A process that ends on its own is reported exited; a later stop order learns it had already exited")
    func exitedOnItsOwn() {
        let clock = ManualClock()
        var agent = runningAgent(clock)
        #expect(
            agent.processExited(.exited(3), now: clock.now) == [
                .cancelTimer(.probe), .signal(sigkill), .send(.exited(.exited(3)), id: 4, replyTo: nil),
                .scheduleTimer(.reportRetry, at: .after(.milliseconds(500))),
                .scheduleTimer(.reportPatience, at: .after(.seconds(5))),
            ])
        #expect(
            agent.stopOrdered(order: 9, timeout: .seconds(10), now: clock.now) == [
                .send(.stopped(.alreadyExited(.exited(3))), id: 5, replyTo: 9),
                .scheduleTimer(.reportRetry, at: .after(.milliseconds(500))),
                .scheduleTimer(.reportPatience, at: .after(.seconds(5))),
            ])
        #expect(agent.acknowledged(replyTo: 5, now: clock.now).last == .exit(3))
    }

    @Test("Orders without a process: never started, or could not be spawned")
    func noProcess() {
        let clock = ManualClock()
        var idle = Agent(settings: Agent.Settings())
        _ = idle.start(now: clock.now)
        #expect(
            idle.stopOrdered(order: 5, timeout: .seconds(1), now: clock.now).first
                == .send(.stopped(.notStarted), id: 2, replyTo: 5))
        #expect(idle.acknowledged(replyTo: 2, now: clock.now).last == .exit(0))

        var failed = Agent(settings: Agent.Settings())
        _ = failed.start(now: clock.now)
        _ = failed.startOrdered(readiness: nil, now: clock.now)
        #expect(
            failed.spawnFailed("cannot start \"x\"", now: clock.now) == [
                .send(.startFailed("cannot start \"x\""), id: 2, replyTo: nil)
            ])
        #expect(failed.killOrdered(order: 6, now: clock.now).first == .send(.stopped(.notStarted), id: 3, replyTo: 6))
        #expect(failed.acknowledged(replyTo: 3, now: clock.now).last == .exit(Agent.ExitCode.spawnFailed))
    }

    @Test("The agent's own SIGTERM stops the process locally; a second one kills it")
    func ownSignal() {
        var settings = Agent.Settings()
        settings.localStopTimeout = .seconds(3)
        var clock = ManualClock()
        var agent = Agent(settings: settings)
        _ = agent.start(now: clock.now)
        _ = agent.startOrdered(readiness: nil, now: clock.now)
        _ = agent.spawned(pid: 42, now: clock.now)
        #expect(
            agent.signalReceived(now: clock.now) == [
                .cancelTimer(.probe), .signal(sigterm), .scheduleTimer(.stopDeadline, at: .after(.seconds(3))),
            ])
        clock.advance(by: .seconds(1))
        #expect(agent.signalReceived(now: clock.now) == [.cancelTimer(.stopDeadline), .signal(sigkill)])
        #expect(
            agent.processExited(.signalled(sigkill), now: clock.now).contains(
                .send(.exited(.signalled(sigkill)), id: 4, replyTo: nil)))
    }

    @Test("Signals for the service are passed on only while there is a process")
    func forwarding() {
        let clock = ManualClock()
        var idle = Agent(settings: Agent.Settings())
        _ = idle.start(now: clock.now)
        #expect(idle.signalToForward(1) == [])
        let running = runningAgent(clock)
        #expect(running.signalToForward(1) == [.forward(1)])
    }

    @Test("Refused: the agent exits with 78, killing a process it had started")
    func refused() {
        let clock = ManualClock()
        var fresh = Agent(settings: Agent.Settings())
        _ = fresh.start(now: clock.now)
        #expect(fresh.refused(now: clock.now) == [.exit(78)])
        var running = runningAgent(clock)
        #expect(running.refused(now: clock.now) == [.signal(sigkill), .exit(78)])
    }
}

/// Readiness probes, event by event.
@Suite("Agent state machine: readiness")
struct AgentReadinessTests {
    typealias Agent = AgentStateMachine
    let probe = ReadinessProbe(
        check: .tcp(host: "127.0.0.1", port: 5432), interval: .seconds(1), failureThreshold: 2,
        initialDelay: .seconds(2))

    /// Registered and spawned (pid 42) with `probe` from the start order: `started` was message 2.
    func probingAgent(_ clock: ManualClock, own: ReadinessProbe? = nil) -> Agent {
        var settings = Agent.Settings()
        settings.readiness = own
        var agent = Agent(settings: settings)
        _ = agent.start(now: clock.now)
        _ = agent.startOrdered(readiness: probe, now: clock.now)
        return agent
    }

    @Test("The first check runs after the initial delay; ready is sent only once a check passes")
    func readyAfterCheck() {
        var clock = ManualClock()
        var agent = probingAgent(clock)
        #expect(
            agent.spawned(pid: 42, now: clock.now) == [
                .send(.started(pid: 42), id: 2, replyTo: nil), .scheduleTimer(.probe, at: .after(.seconds(2))),
            ])
        clock.advance(by: .seconds(2))
        #expect(agent.timerFired(.probe, now: clock.now) == [.runProbe(probe)])
        #expect(
            agent.probeFinished(error: "connection refused", now: clock.now) == [
                .send(.unready("connection refused"), id: 3, replyTo: nil),
                .scheduleTimer(.probe, at: .after(.seconds(3))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            agent.probeFinished(error: nil, now: clock.now) == [
                .send(.ready, id: 4, replyTo: nil), .scheduleTimer(.probe, at: .after(.seconds(4))),
            ])
        #expect(
            agent.probeFinished(error: nil, now: clock.now) == [.scheduleTimer(.probe, at: .after(.seconds(4)))],
            "ready is said once")
    }

    @Test("After ready, the failure threshold reports unready once; a success reports ready again")
    func liveness() {
        let clock = ManualClock()
        var agent = probingAgent(clock)
        _ = agent.spawned(pid: 42, now: clock.now)
        _ = agent.probeFinished(error: nil, now: clock.now)
        let next: Agent.Action = .scheduleTimer(.probe, at: .after(.seconds(1)))
        #expect(agent.probeFinished(error: "timeout", now: clock.now) == [next], "one failure is below the threshold")
        #expect(
            agent.probeFinished(error: "timeout", now: clock.now) == [
                .send(.unready("timeout"), id: 4, replyTo: nil), next,
            ])
        #expect(agent.probeFinished(error: "timeout", now: clock.now) == [next], "unready is said once")
        #expect(agent.probeFinished(error: nil, now: clock.now) == [.send(.ready, id: 5, replyTo: nil), next])
    }

    @Test("The agent's own probe wins over the coordinator's")
    func ownProbeWins() {
        let clock = ManualClock()
        let own = ReadinessProbe(check: .exec(command: "true"), interval: .milliseconds(100))
        var agent = probingAgent(clock, own: own)
        _ = agent.spawned(pid: 42, now: clock.now)
        #expect(agent.timerFired(.probe, now: clock.now) == [.runProbe(own)])
    }

    @Test("Checks stop with the stop order, and a late result is ignored")
    func checksStopWithTheService() {
        let clock = ManualClock()
        var agent = probingAgent(clock)
        _ = agent.spawned(pid: 42, now: clock.now)
        #expect(agent.stopOrdered(order: 9, timeout: .seconds(5), now: clock.now).first == .cancelTimer(.probe))
        #expect(agent.probeFinished(error: nil, now: clock.now) == [])
        #expect(agent.timerFired(.probe, now: clock.now) == [])
    }
}

/// Stop commands instead of the stop signal.
@Suite("Agent state machine: stop commands")
struct AgentStopCommandTests {
    typealias Agent = AgentStateMachine

    func runningAgent(stopCommand: StopCommand) -> Agent {
        var settings = Agent.Settings()
        settings.stopCommand = stopCommand
        var agent = Agent(settings: settings)
        _ = agent.start(now: .zero)
        _ = agent.startOrdered(readiness: nil, now: .zero)
        _ = agent.spawned(pid: 42, now: .zero)
        return agent
    }

    @Test("A stop order runs the stop command, bounded by the stop timeout, instead of signalling")
    func stopCommandRuns() {
        var agent = runningAgent(stopCommand: .exec("nginx -s quit"))
        #expect(
            agent.stopOrdered(order: 7, timeout: .seconds(10), now: .zero) == [
                .cancelTimer(.probe), .runStopCommand(.exec("nginx -s quit"), timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline, at: .after(.seconds(10))),
            ])
        #expect(
            agent.stopCommandFinished(error: nil, now: .after(.seconds(1))) == [],
            "success: wait for the process to end")
        #expect(
            agent.processExited(.exited(0), now: .after(.seconds(2))).contains(
                .send(.stopped(.stopped(.exited(0))), id: 4, replyTo: 7)))
    }

    @Test("A failed stop command falls back to the stop signal; the timeout still ends in SIGKILL")
    func stopCommandFails() {
        var agent = runningAgent(stopCommand: .http(method: "POST", url: "http://127.0.0.1:9/shutdown"))
        _ = agent.stopOrdered(order: 7, timeout: .seconds(10), now: .zero)
        #expect(agent.stopCommandFinished(error: "connection refused", now: .after(.seconds(1))) == [.signal(15)])
        #expect(agent.timerFired(.stopDeadline, now: .after(.seconds(10))) == [.signal(9)])
        #expect(agent.stopCommandFinished(error: "late", now: .after(.seconds(11))) == [], "no signal after the kill")
    }

    @Test("--stop-http takes an optional method")
    func parsing() {
        #expect(
            StopCommand.http("POST http://127.0.0.1:8080/shutdown")
                == .http(method: "POST", url: "http://127.0.0.1:8080/shutdown"))
        #expect(
            StopCommand.http("http://127.0.0.1:8080/quit") == .http(method: "POST", url: "http://127.0.0.1:8080/quit"))
        #expect(StopCommand.http("delete http://h/x") == .http(method: "DELETE", url: "http://h/x"))
        #expect(StopCommand.http("POST ftp://h/x") == nil)
        #expect(StopCommand.http("POST http://h/x extra") == nil)
    }
}

/// Restart policies, event by event.
@Suite("Agent state machine: restarts")
struct AgentRestartTests {
    typealias Agent = AgentStateMachine
    let policy = RestartPolicy(mode: .onFailure, backoff: .seconds(1), limit: 2)

    func runningAgent(restart: RestartPolicy?) -> Agent {
        var agent = Agent(settings: Agent.Settings())
        _ = agent.start(now: .zero)
        _ = agent.startOrdered(readiness: nil, restart: restart, now: .zero)
        _ = agent.spawned(pid: 42, now: .zero)
        return agent
    }

    @Test("A failed process is restarted with a doubling delay until the limit, then its end is reported")
    func restartsUntilTheLimit() {
        var agent = runningAgent(restart: policy)
        #expect(
            agent.processExited(.exited(1), now: .after(.seconds(1))) == [
                .cancelTimer(.probe), .signal(9),
                .send(.restarting(.exited(1), attempt: 1, delay: .seconds(1)), id: 4, replyTo: nil),
                .scheduleTimer(.restart, at: .after(.seconds(2))),
            ])
        #expect(agent.timerFired(.restart, now: .after(.seconds(2))) == [.spawn])
        #expect(
            agent.spawned(pid: 43, now: .after(.seconds(2))) == [
                .send(.started(pid: 43), id: 5, replyTo: nil), .send(.ready, id: 6, replyTo: nil),
            ])
        #expect(
            agent.processExited(.signalled(11), now: .after(.seconds(3))).contains(
                .send(.restarting(.signalled(11), attempt: 2, delay: .seconds(2)), id: 7, replyTo: nil)))
        _ = agent.timerFired(.restart, now: .after(.seconds(5)))
        _ = agent.spawned(pid: 44, now: .after(.seconds(5)))
        #expect(
            agent.processExited(.exited(1), now: .after(.seconds(6))).contains(
                .send(.exited(.exited(1)), id: 10, replyTo: nil)), "the limit of 2 is reached")
    }

    @Test("on-failure does not restart a clean exit; always does; no policy never does")
    func modes() {
        var onFailure = runningAgent(restart: policy)
        #expect(
            onFailure.processExited(.exited(0), now: .zero).contains(.send(.exited(.exited(0)), id: 4, replyTo: nil)))
        var always = runningAgent(restart: RestartPolicy(mode: .always))
        #expect(
            always.processExited(.exited(0), now: .zero).contains(.scheduleTimer(.restart, at: .after(.seconds(1)))))
        var never = runningAgent(restart: nil)
        #expect(never.processExited(.exited(1), now: .zero).contains(.send(.exited(.exited(1)), id: 4, replyTo: nil)))
    }

    @Test("A process that ran for a minute starts the count again")
    func countResets() {
        var agent = runningAgent(restart: RestartPolicy(mode: .always, backoff: .seconds(1), limit: 1))
        _ = agent.processExited(.exited(1), now: .after(.seconds(1)))
        _ = agent.timerFired(.restart, now: .after(.seconds(2)))
        _ = agent.spawned(pid: 43, now: .after(.seconds(2)))
        #expect(
            agent.processExited(.exited(1), now: .after(.seconds(62))).contains(
                .scheduleTimer(.restart, at: .after(.seconds(63)))))
    }

    @Test("A stop order while waiting to restart cancels the restart and reports the process had exited")
    func stopWhileWaiting() {
        var agent = runningAgent(restart: policy)
        _ = agent.processExited(.exited(1), now: .zero)
        #expect(
            agent.stopOrdered(order: 9, timeout: .seconds(5), now: .zero) == [
                .cancelTimer(.restart), .send(.stopped(.alreadyExited(.exited(1))), id: 5, replyTo: 9),
                .scheduleTimer(.reportRetry, at: .after(.milliseconds(500))),
                .scheduleTimer(.reportPatience, at: .after(.seconds(5))),
            ])
        #expect(agent.timerFired(.restart, now: .after(.seconds(1))) == [])
    }

    @Test(
        "Delays double from the backoff and stop at five minutes",
        arguments: [(1, 1), (2, 2), (3, 4), (9, 256), (10, 300), (40, 300)])
    func delays(attempt: Int, seconds: Int) {
        #expect(RestartPolicy(mode: .always, backoff: .seconds(1)).delay(forAttempt: attempt) == .seconds(seconds))
    }
}

/// Drain before stop, and what the health endpoint answers.
@Suite("Agent state machine: drain and health")
struct AgentDrainTests {
    typealias Agent = AgentStateMachine

    func runningAgent() -> Agent {
        var agent = Agent(settings: Agent.Settings())
        _ = agent.start(now: .zero)
        _ = agent.startOrdered(readiness: nil, now: .zero)
        _ = agent.spawned(pid: 42, now: .zero)
        return agent
    }

    @Test("A stop with a drain reports not ready first, and signals only when the drain is over")
    func drainThenStop() {
        var agent = runningAgent()
        #expect(agent.health == (alive: true, ready: true))
        #expect(
            agent.stopOrdered(order: 7, timeout: .seconds(10), drain: .seconds(5), now: .zero) == [
                .cancelTimer(.probe), .scheduleTimer(.drainEnd, at: .after(.seconds(5))),
            ])
        #expect(agent.health == (alive: true, ready: false))
        #expect(
            agent.timerFired(.drainEnd, now: .after(.seconds(5))) == [
                .signal(15), .scheduleTimer(.stopDeadline, at: .after(.seconds(15))),
            ])
        #expect(
            agent.processExited(.exited(0), now: .after(.seconds(6))).contains(
                .send(.stopped(.stopped(.exited(0))), id: 4, replyTo: 7)))
        #expect(agent.health == (alive: false, ready: false))
    }

    @Test("A kill order during the drain kills at once")
    func killDuringDrain() {
        var agent = runningAgent()
        _ = agent.stopOrdered(order: 7, timeout: .seconds(10), drain: .seconds(5), now: .zero)
        #expect(agent.killOrdered(order: 8, now: .after(.seconds(1))) == [.cancelTimer(.drainEnd), .signal(9)])
        #expect(agent.timerFired(.drainEnd, now: .after(.seconds(5))) == [])
        #expect(
            agent.processExited(.signalled(9), now: .after(.seconds(1))).contains(
                .send(.stopped(.killed), id: 4, replyTo: 8)))
    }

    @Test("A process that ends during the drain answers the stop order")
    func endsDuringDrain() {
        var agent = runningAgent()
        _ = agent.stopOrdered(order: 7, timeout: .seconds(10), drain: .seconds(5), now: .zero)
        #expect(
            agent.processExited(.exited(0), now: .after(.seconds(1))).contains(
                .send(.stopped(.stopped(.exited(0))), id: 4, replyTo: 7)))
    }
}

@Suite("Drain in the coordinator's plan and deadlines")
struct DrainPlanTests {
    @Test("The stop deadline and the worst case include the drain")
    func deadlineIncludesDrain() throws {
        var api = ServiceSpec(name: "api", stopTimeout: .seconds(3))
        api.drain = .seconds(5)
        let graph = try ServiceGraph(validating: [api])
        let plan = Plan(graph: graph)
        #expect(plan.shutdownWorstCase == .seconds(8))
        var shutdown = ShutdownStateMachine(
            graph: graph, plan: plan, shutdownTimeout: .seconds(60), ackGrace: .seconds(2))
        #expect(
            shutdown.start(conditions: ["api": .connected], now: .zero).contains(
                .scheduleTimer(.stopDeadline("api"), at: .after(.seconds(10)))))
    }
}

/// A coordinator that goes silent, and the snapshot the agent brings to the next one.
@Suite("Agent state machine: lost coordinator")
struct AgentLostCoordinatorTests {
    typealias Agent = AgentStateMachine

    @Test("Silence from the coordinator makes the agent register again with a snapshot; the service keeps running")
    func silenceMeansRegisterAgain() {
        var agent = Agent(settings: Agent.Settings())
        _ = agent.start(now: .zero)
        _ = agent.welcomed(heartbeatInterval: .seconds(1), lostAfter: .seconds(5), epoch: 1, now: .zero)
        _ = agent.startOrdered(readiness: nil, now: .zero)
        _ = agent.spawned(pid: 42, now: .zero)
        #expect(
            agent.heardFromCoordinator(now: .after(.seconds(2))) == [
                .scheduleTimer(.coordinatorSilence, at: .after(.seconds(7)))
            ])
        let actions = agent.timerFired(.coordinatorSilence, now: .after(.seconds(7)))
        #expect(actions.contains(.send(.register(.ready(pid: 42)), id: 4, replyTo: nil)))
        #expect(!actions.contains { if case .signal = $0 { true } else { false } }, "the service keeps running")
        #expect(agent.health == (alive: true, ready: true))
        #expect(
            agent.welcomed(heartbeatInterval: .seconds(1), lostAfter: .seconds(5), epoch: 2, now: .after(.seconds(8)))
                .contains(.cancelTimer(.registration)))
        #expect(agent.accepts(epoch: 2) && !agent.accepts(epoch: 1), "orders of the earlier coordinator are stale")
    }

    @Test("The snapshot follows the service", arguments: [0, 1, 2, 3])
    func snapshots(step: Int) {
        var agent = Agent(settings: Agent.Settings())
        _ = agent.start(now: .zero)
        _ = agent.startOrdered(readiness: ReadinessProbe(check: .exec(command: "true")), now: .zero)
        _ = agent.spawned(pid: 42, now: .zero)
        let expected: [AgentSnapshot] = [.starting(pid: 42), .ready(pid: 42), .stopping(pid: 42), .exited(.exited(0))]
        if step >= 1 { _ = agent.probeFinished(error: nil, now: .zero) }
        if step >= 2 { _ = agent.stopOrdered(order: 9, timeout: .seconds(5), now: .zero) }
        if step >= 3 { _ = agent.processExited(.exited(0), now: .zero) }
        #expect(agent.snapshot == expected[step])
    }
}
