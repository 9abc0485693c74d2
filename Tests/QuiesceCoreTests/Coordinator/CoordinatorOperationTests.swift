import QuiesceCore
import Testing

/// Targeted stop, start and restart on the seed graph (api depends on database and cache), event by event.
@Suite("Coordinator state machine: targeted operations")
struct CoordinatorOperationTests {
    typealias Coordinator = CoordinatorStateMachine
    let clean = StopOutcome.stopped(.exited(0))
    let databasePID: Int32 = 7

    func sends(_ actions: [Coordinator.Action]) -> [Coordinator.Action] {
        CoordinatorFixtures.sends(actions)
    }

    /// What an operation that stops api (and what depends on it: nothing) answers first, at `now`:
    /// its stop deadline, and the order to stop and to stay.
    func apiStopOrdered(of parts: Int, now: Timestamp) -> [Coordinator.Action] {
        [
            .scheduleTimer(.shutdown(.shutdownDeadline), at: now + .seconds(60)),
            .progress(.shutdown(.waveStarted(number: 1, of: parts, services: ["api"]))),
            .send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "api"),
            .scheduleTimer(.retransmit("api"), at: now + .seconds(1)),
            .scheduleTimer(.shutdown(.stopDeadline("api")), at: now + .seconds(12)),
        ]
    }

    /// api acknowledges its stop at `now`, `after` its order, and the stop's second wave begins with
    /// `next` (ordered to stop within `timeout`, and to exit if `exit`).
    func apiStopped(
        after: Duration, then next: String, timeout: Duration, exit: Bool = false, now: Timestamp
    ) -> [Coordinator.Action] {
        [
            .cancelTimer(.retransmit("api")),
            .cancelTimer(.shutdown(.stopDeadline("api"))),
            .progress(.shutdown(.serviceFinished("api", .acknowledged(clean), after: after))),
            .progress(.shutdown(.waveStarted(number: 2, of: 2, services: [next]))),
            .send(.stop(timeout: timeout, drain: .zero, exit: exit), to: .only(next)),
            .scheduleTimer(.retransmit(.only(next)), at: now + .seconds(1)),
            .scheduleTimer(.shutdown(.stopDeadline(next)), at: now + timeout + .seconds(2)),
        ]
    }

    /// Stops database (api first) on the running fleet, every answer at `now`.
    func stopDatabase(on coordinator: inout Coordinator, now: Timestamp) throws {
        let operation = Operation(kind: .stop, service: "database")
        #expect(
            try coordinator.operationRequested(operation, now: now).get()
                == [.progress(.operationBegan(operation))] + apiStopOrdered(of: 2, now: now))
        #expect(
            coordinator.stopAcknowledged("api", outcome: clean, now: now)
                == apiStopped(after: .zero, then: "database", timeout: .seconds(20), now: now))
        let report = ShutdownReport(
            entries: [
                .only(service: "api", wave: 1, outcome: .acknowledged(clean), duration: .zero),
                .only(service: "database", wave: 2, outcome: .acknowledged(clean), duration: .zero),
            ],
            total: .zero, termination: .completed, criticalPath: ["api", "database"])
        #expect(
            coordinator.stopAcknowledged("database", outcome: clean, now: now) == [
                .cancelTimer(.retransmit("database")),
                .cancelTimer(.shutdown(.stopDeadline("database"))),
                .progress(.shutdown(.serviceFinished("database", .acknowledged(clean), after: .zero))),
                .cancelTimer(.shutdown(.shutdownDeadline)),
                .cancelTimer(.shutdown(.killGrace)),
                .operationFinished(OperationReport(operation: operation, stop: report)),
            ])
    }

    @Test("stop database stops api first, then database; cache is untouched and the agents stay")
    func stopTakesDependentsFirst() throws {
        var clock = ManualClock()
        var coordinator = try CoordinatorFixtures.runningFleet(clock: &clock)
        let operation = Operation(kind: .stop, service: "database")
        let begun = try coordinator.operationRequested(operation, now: clock.now).get()
        #expect(begun.first == .progress(.operationBegan(operation)))
        #expect(sends(begun) == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "api")])
        #expect(coordinator.phaseName == "running (stop database)")

        clock.advance(by: .seconds(1))
        #expect(
            sends(coordinator.stopAcknowledged("api", outcome: clean, now: clock.now))
                == [.send(.stop(timeout: .seconds(20), drain: .zero, exit: false), to: "database")])
        clock.advance(by: .seconds(1))
        let done = coordinator.stopAcknowledged("database", outcome: clean, now: clock.now)
        guard case .operationFinished(let report) = try #require(done.last) else {
            Issue.record("expected the operation's report, got \(done)")
            return
        }
        #expect(report.operation == operation)
        #expect(report.stop?.entries.map(\.service) == ["api", "database"])
        #expect(report.exitCode == 0)
        #expect(coordinator.phaseName == "running")
        #expect(coordinator.status(now: clock.now).map(\.state) == [.stopped, .ready, .stopped])
    }

    @Test("start api starts what it needs that is not running, dependencies first")
    func startTakesDependenciesFirst() throws {
        var clock = ManualClock()
        var coordinator = try CoordinatorFixtures.runningFleet(clock: &clock)
        try stopDatabase(on: &coordinator, now: clock.now)

        let start = Operation(kind: .start, service: "api")
        clock.advance(by: .seconds(1))
        let begun = try coordinator.operationRequested(start, now: clock.now).get()
        #expect(
            sends(begun) == [.send(.start(readiness: nil, restart: nil), to: "database")], "cache is running already")
        #expect(
            coordinator.serviceStarted("database", pid: databasePID, now: clock.now) == [
                .cancelTimer(.retransmit("database"))
            ])
        clock.advance(by: .seconds(1))
        #expect(
            sends(coordinator.serviceReady("database", now: clock.now)) == [
                .send(.start(readiness: nil, restart: nil), to: "api")
            ])
        clock.advance(by: .seconds(1))
        #expect(
            coordinator.serviceReady("api", now: clock.now).last
                == .operationFinished(OperationReport(operation: start)))
    }

    @Test("restart cache stops api and cache, then starts them again in order")
    func restart() throws {
        var clock = ManualClock()
        var coordinator = try CoordinatorFixtures.runningFleet(clock: &clock)
        let operation = Operation(kind: .restart, service: "cache")
        #expect(
            sends(try coordinator.operationRequested(operation, now: clock.now).get()) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "api")
            ])
        #expect(
            coordinator.stopAcknowledged("api", outcome: clean, now: clock.now)
                == apiStopped(after: .zero, then: "cache", timeout: .seconds(10), now: clock.now))
        let stopped = coordinator.stopAcknowledged("cache", outcome: clean, now: clock.now)
        #expect(sends(stopped) == [.send(.start(readiness: nil, restart: nil), to: "cache")])
        #expect(
            sends(coordinator.serviceReady("cache", now: clock.now)) == [
                .send(.start(readiness: nil, restart: nil), to: "api")
            ])
        guard case .operationFinished(let report) = try #require(coordinator.serviceReady("api", now: clock.now).last)
        else {
            Issue.record("expected the operation's report")
            return
        }
        #expect(report.stop?.entries.map(\.service) == ["api", "cache"])
        #expect(report.startFailure == nil)
    }

    @Test("A stop the agent asked for lets that agent exit, and only that one")
    func agentRequestedStop() throws {
        var clock = ManualClock()
        var coordinator = try CoordinatorFixtures.runningFleet(clock: &clock)
        let begun = try coordinator.operationRequested(
            Operation(kind: .stop, service: "cache", requestedByAgent: true), now: clock.now
        ).get()
        #expect(sends(begun) == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "api")])
        #expect(
            sends(coordinator.stopAcknowledged("api", outcome: clean, now: clock.now)) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "cache")
            ])
    }

    @Test("Operations are refused for unknown services, during startup, and while another runs")
    func refusals() throws {
        var starting = Coordinator(configuration: try CoordinatorFixtures.seedConfiguration(), now: .zero)
        #expect(
            starting.operationRequested(Operation(kind: .stop, service: "api"), now: .zero)
                == .failure(.busy("starting (waiting for agents: cache, database)")))
        var clock = ManualClock()
        var coordinator = try CoordinatorFixtures.runningFleet(clock: &clock)
        #expect(
            coordinator.operationRequested(Operation(kind: .stop, service: "apii"), now: clock.now)
                == .failure(.unknownService("apii", suggestion: "api")))
        let stopAPI = Operation(kind: .stop, service: "api")
        #expect(
            try coordinator.operationRequested(stopAPI, now: clock.now).get()
                == [.progress(.operationBegan(stopAPI))] + apiStopOrdered(of: 1, now: clock.now))
        #expect(
            coordinator.operationRequested(Operation(kind: .start, service: "api"), now: clock.now)
                == .failure(.busy("running (stop api)")))
    }

    @Test(
        "Every container stopped at once: each agent's stop waits for the one under way, and none stops under a running dependent"
    )
    func agentRequestsWhileAnotherRuns() throws {
        var clock = ManualClock()
        var coordinator = try CoordinatorFixtures.runningFleet(clock: &clock)
        let databaseStop = Operation(kind: .stop, service: "database", requestedByAgent: true)
        let cacheStop = Operation(kind: .stop, service: "cache", requestedByAgent: true)
        let apiStop = Operation(kind: .stop, service: "api", requestedByAgent: true)
        let begun = try coordinator.operationRequested(databaseStop, now: clock.now).get()
        #expect(sends(begun) == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "api")])
        #expect(
            coordinator.operationRequested(cacheStop, now: clock.now) == .success([]), "cache waits: api still runs")
        #expect(coordinator.operationRequested(apiStop, now: clock.now) == .success([]))

        clock.advance(by: .seconds(1))
        #expect(
            sends(coordinator.stopAcknowledged("api", outcome: clean, now: clock.now))
                == [.send(.stop(timeout: .seconds(20), drain: .zero, exit: true), to: "database")])
        clock.advance(by: .seconds(1))
        let next = coordinator.stopAcknowledged("database", outcome: clean, now: clock.now)
        #expect(next.contains(.progress(.operationBegan(cacheStop))))
        #expect(
            sends(next) == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "cache")],
            "api stopped already: only cache")
        clock.advance(by: .seconds(1))
        let last = coordinator.stopAcknowledged("cache", outcome: clean, now: clock.now)
        #expect(sends(last).isEmpty, "api's own request is void: it stopped with database")
        #expect(coordinator.phaseName == "running")
        #expect(coordinator.status(now: clock.now).map(\.state) == [.stopped, .stopped, .stopped])

        // One agent has exited before the coordinator's own shutdown; the others, not known to have
        // left yet, are told to exit. There is nothing left to stop, and that is clean.
        clock.advance(by: .seconds(1))
        #expect(
            coordinator.agentLost("database", now: clock.now) == [
                .cancelTimer(.suspect("database")), .cancelTimer(.lost("database")),
            ])
        clock.advance(by: .seconds(1))
        let shutdown = coordinator.shutdownRequested(now: clock.now)
        #expect(
            sends(shutdown) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "api"),
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "cache"),
            ])
        guard
            case .finish(let report) = try #require(
                shutdown.last(where: { if case .finish = $0 { true } else { false } }))
        else { return }
        #expect(
            report.entries.map(\.outcome) == [
                .stoppedEarlier("stopped (exit code 0)"), .stoppedEarlier("stopped (exit code 0)"),
                .stoppedEarlier("stopped (exit code 0)"),
            ])
        #expect(report.exitCode == 0)
    }

    @Test("An agent asking to stop during the fleet's startup is stopped once the startup is complete")
    func agentRequestDuringStartup() throws {
        var coordinator = Coordinator(configuration: try CoordinatorFixtures.seedConfiguration(), now: .zero)
        try CoordinatorFixtures.registerFleet(on: &coordinator, now: .zero)
        let cacheStop = Operation(kind: .stop, service: "cache", requestedByAgent: true)
        #expect(coordinator.operationRequested(cacheStop, now: .zero) == .success([]))
        CoordinatorFixtures.readyFirstWave(on: &coordinator, after: .zero, now: .zero)
        let complete = coordinator.serviceReady("api", now: .zero)
        #expect(complete.contains(.progress(.operationBegan(cacheStop))))
        #expect(sends(complete) == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "api")])
    }

    @Test("An agent asking to stop during the fleet's shutdown is told nothing: its order comes in its wave")
    func agentRequestDuringShutdown() throws {
        var clock = ManualClock()
        var coordinator = try CoordinatorFixtures.runningFleet(clock: &clock)
        #expect(coordinator.shutdownRequested(now: clock.now) == CoordinatorFixtures.fleetShutdownBegan(now: clock.now))
        #expect(
            coordinator.operationRequested(
                Operation(kind: .stop, service: "database", requestedByAgent: true), now: clock.now) == .success([]))
        #expect(
            coordinator.operationRequested(Operation(kind: .stop, service: "database"), now: clock.now)
                == .failure(.busy("shutting down")))
    }

    @Test("A shutdown during an operation interrupts it and stops the whole fleet")
    func shutdownInterrupts() throws {
        var clock = ManualClock()
        var coordinator = try CoordinatorFixtures.runningFleet(clock: &clock)
        let operation = Operation(kind: .stop, service: "database")
        #expect(
            try coordinator.operationRequested(operation, now: clock.now).get()
                == [.progress(.operationBegan(operation))] + apiStopOrdered(of: 2, now: clock.now))
        clock.advance(by: .seconds(1))
        let actions = coordinator.shutdownRequested(now: clock.now)
        #expect(actions.contains(.operationFinished(OperationReport(operation: operation, interrupted: true))))
        #expect(actions.contains(.progress(.shutdownBegan)))
        #expect(actions.contains(.cancelTimer(.shutdown(.stopDeadline("api")))))
        #expect(coordinator.isShuttingDown)
        #expect(sends(actions) == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "api")])
    }
}
