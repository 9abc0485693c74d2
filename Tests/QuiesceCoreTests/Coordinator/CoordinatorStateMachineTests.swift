import QuiesceCore
import Testing

/// The coordinator from its startup to its report: the fleet's startup, its failure under either
/// policy, the shutdown and its escalation, and the status rows.
@Suite("Coordinator state machine")
struct CoordinatorStateMachineTests {
    typealias Coordinator = CoordinatorStateMachine

    let configuration: Configuration

    init() throws {
        configuration = try CoordinatorFixtures.seedConfiguration()
    }

    /// Registers database then cache at `now`: the first wave is ordered to start.
    func registerFirstWave(on coordinator: inout Coordinator, now: Timestamp) throws {
        #expect(
            try CoordinatorFixtures.register("database", on: &coordinator, now: now)
                == CoordinatorFixtures.connected("database", host: "host-database", now: now))
        #expect(
            try CoordinatorFixtures.register("cache", on: &coordinator, now: now)
                == CoordinatorFixtures.connected("cache", host: "host-cache", now: now)
                + CoordinatorFixtures.firstWaveStarted(now: now))
    }

    let clean = StopOutcome.stopped(.exited(0))

    @Test("Startup, running, a shutdown request, acknowledgements and the final report")
    func fullFlow() throws {
        var clock = ManualClock()
        var coordinator = Coordinator(configuration: configuration, now: clock.now)
        let cachePID: Int32 = 101

        #expect(
            try CoordinatorFixtures.register("database", on: &coordinator, now: clock.now)
                == CoordinatorFixtures.connected("database", host: "host-database", now: clock.now))
        #expect(
            withoutRetransmission(try CoordinatorFixtures.register("cache", on: &coordinator, now: clock.now)) == [
                .progress(.agentConnected("cache", host: "host-cache")),
                .scheduleTimer(.suspect("cache"), at: .after(.seconds(2))),
                .scheduleTimer(.lost("cache"), at: .after(.seconds(5))),
                .progress(.startup(.waveStarted(number: 1, of: 2, services: ["cache", "database"]))),
                .send(.start(readiness: nil, restart: nil), to: "cache"),
                .scheduleTimer(.startup(.startDeadline("cache")), at: .after(.seconds(30))),
                .send(.start(readiness: nil, restart: nil), to: "database"),
                .scheduleTimer(.startup(.startDeadline("database")), at: .after(.seconds(30))),
            ])
        #expect(withoutRetransmission(coordinator.serviceStarted("cache", pid: cachePID, now: clock.now)) == [])
        clock.advance(by: .seconds(1))
        #expect(
            withoutRetransmission(coordinator.serviceReady("cache", now: clock.now)) == [
                .cancelTimer(.startup(.startDeadline("cache"))),
                .progress(.startup(.serviceReady("cache", after: .seconds(1)))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            withoutRetransmission(coordinator.serviceReady("database", now: clock.now)) == [
                .cancelTimer(.startup(.startDeadline("database"))),
                .progress(.startup(.serviceReady("database", after: .seconds(2)))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            withoutRetransmission(try CoordinatorFixtures.register("api", on: &coordinator, now: clock.now)) == [
                .progress(.agentConnected("api", host: "host-api")),
                .scheduleTimer(.suspect("api"), at: .after(.seconds(5))),
                .scheduleTimer(.lost("api"), at: .after(.seconds(8))),
                .progress(.startup(.waveStarted(number: 2, of: 2, services: ["api"]))),
                .send(.start(readiness: nil, restart: nil), to: "api"),
                .scheduleTimer(.startup(.startDeadline("api")), at: .after(.seconds(33))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            withoutRetransmission(coordinator.serviceReady("api", now: clock.now)) == [
                .cancelTimer(.startup(.startDeadline("api"))),
                .progress(.startup(.serviceReady("api", after: .seconds(1)))),
                .progress(.startupComplete(after: .seconds(4), waitingForAgents: .seconds(1))),
            ])
        #expect(!coordinator.isShuttingDown)

        clock.advance(by: .seconds(6))
        #expect(
            withoutRetransmission(coordinator.shutdownRequested(now: clock.now)) == [
                .journal(.shutdownBegan(.waves)),
                .progress(.shutdownBegan),
                .scheduleTimer(.shutdown(.shutdownDeadline), at: .after(.seconds(70))),
                .progress(.shutdown(.waveStarted(number: 1, of: 2, services: ["api"]))),
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "api"),
                .scheduleTimer(.shutdown(.stopDeadline("api")), at: .after(.seconds(22))),
            ])
        #expect(coordinator.isShuttingDown)
        #expect(coordinator.status(now: clock.now).map(\.state) == [.ready, .ready, .stopping])
        clock.advance(by: .seconds(1))
        #expect(
            withoutRetransmission(coordinator.stopAcknowledged("api", outcome: clean, now: clock.now)) == [
                .cancelTimer(.shutdown(.stopDeadline("api"))),
                .journaled("api", .acknowledged(clean)),
                .progress(.shutdown(.serviceFinished("api", .acknowledged(clean), after: .seconds(1)))),
                .progress(.shutdown(.waveStarted(number: 2, of: 2, services: ["cache", "database"]))),
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "cache"),
                .scheduleTimer(.shutdown(.stopDeadline("cache")), at: .after(.seconds(23))),
                .send(.stop(timeout: .seconds(20), drain: .zero, exit: true), to: "database"),
                .scheduleTimer(.shutdown(.stopDeadline("database")), at: .after(.seconds(33))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            withoutRetransmission(coordinator.stopAcknowledged("cache", outcome: clean, now: clock.now)) == [
                .cancelTimer(.shutdown(.stopDeadline("cache"))),
                .journaled("cache", .acknowledged(clean)),
                .progress(.shutdown(.serviceFinished("cache", .acknowledged(clean), after: .seconds(1)))),
            ])
        clock.advance(by: .seconds(2))
        let last = withoutRetransmission(coordinator.stopAcknowledged("database", outcome: clean, now: clock.now))
        #expect(
            Array(last.dropLast()) == [
                .cancelTimer(.shutdown(.stopDeadline("database"))),
                .journaled("database", .acknowledged(clean)),
                .progress(.shutdown(.serviceFinished("database", .acknowledged(clean), after: .seconds(3)))),
                .cancelTimer(.shutdown(.shutdownDeadline)),
                .cancelTimer(.shutdown(.killGrace)),
                .journal(.shutdownFinished),
            ])
        #expect(
            last.last
                == .finish(
                    ShutdownReport(
                        entries: [
                            .only(service: "api", wave: 1, outcome: .acknowledged(clean), duration: .seconds(1)),
                            .only(service: "cache", wave: 2, outcome: .acknowledged(clean), duration: .seconds(1)),
                            .only(service: "database", wave: 2, outcome: .acknowledged(clean), duration: .seconds(3)),
                        ],
                        total: .seconds(4), termination: .completed, criticalPath: ["api", "database"])))
        #expect(coordinator.status(now: clock.now).map(\.state) == [.stopped, .stopped, .stopped])
        #expect(withoutRetransmission(coordinator.shutdownRequested(now: clock.now)) == [])
        #expect(
            coordinator.agentRegistered("queue", host: "h", now: clock.now)
                == .failure(.unknownService("queue", suggestion: nil)))
    }

    @Test("A second shutdown request escalates: every remaining service is killed")
    func secondRequestEscalates() throws {
        var clock = ManualClock()
        var coordinator = try CoordinatorFixtures.runningFleet(clock: &clock)

        #expect(coordinator.shutdownRequested(now: clock.now) == CoordinatorFixtures.fleetShutdownBegan(now: clock.now))
        clock.advance(by: .seconds(1))
        #expect(
            withoutRetransmission(coordinator.shutdownRequested(now: clock.now)) == [
                .cancelTimer(.shutdown(.shutdownDeadline)),
                .progress(.shutdown(.killingRemaining(["api", "cache", "database"], reason: .escalation))),
                .cancelTimer(.shutdown(.stopDeadline("api"))),
                .send(.kill(exit: true), to: "api"),
                .send(.kill(exit: true), to: "cache"),
                .send(.kill(exit: true), to: "database"),
                .scheduleTimer(.shutdown(.killGrace), at: .after(.seconds(7))),
            ])
        let killed = ShutdownOutcome.killed(.killed, reason: .escalation)
        #expect(
            coordinator.stopAcknowledged("api", outcome: .killed, now: clock.now) == [
                .cancelTimer(.retransmit("api")),
                .journaled("api", killed),
                .progress(.shutdown(.serviceFinished("api", killed, after: .seconds(1)))),
            ])
        #expect(
            coordinator.stopAcknowledged("cache", outcome: .killed, now: clock.now) == [
                .cancelTimer(.retransmit("cache")),
                .journaled("cache", killed),
                .progress(.shutdown(.serviceFinished("cache", killed, after: .zero))),
            ])
        clock.advance(by: .seconds(2))
        let actions = withoutRetransmission(coordinator.timerFired(.shutdown(.killGrace), now: clock.now))
        guard case .finish(let report) = try #require(actions.last) else {
            Issue.record("expected .finish, got \(actions)")
            return
        }
        #expect(report.termination == .escalated)
        #expect(
            report.entries.map(\.outcome) == [
                .killed(.killed, reason: .escalation), .killed(.killed, reason: .escalation),
                .killed(nil, reason: .escalation),
            ])
        #expect(report.exitCode == 3)
    }

    @Test("A startup failure under the default policy stops what started and exits with code 2")
    func startupFailure() throws {
        var clock = ManualClock()
        var coordinator = Coordinator(configuration: configuration, now: clock.now)
        try registerFirstWave(on: &coordinator, now: clock.now)

        clock.advance(by: .seconds(1))
        #expect(
            coordinator.serviceReady("cache", now: clock.now) == [
                .cancelTimer(.retransmit("cache")),
                .cancelTimer(.startup(.startDeadline("cache"))),
                .progress(.startup(.serviceReady("cache", after: .seconds(1)))),
            ])
        clock.advance(by: .seconds(1))
        let failure = StartupFailure(service: "database", reason: .exited(.exited(1)), notStarted: ["api"])
        #expect(
            withoutRetransmission(coordinator.serviceExited("database", status: .exited(1), now: clock.now)) == [
                .progress(.serviceExited("database", status: .exited(1))),
                .cancelTimer(.startup(.startDeadline("database"))),
                .progress(.startupFailed(failure)),
                .journal(.shutdownBegan(.waves)),
                .progress(.shutdownBegan),
                .scheduleTimer(.shutdown(.shutdownDeadline), at: .after(.seconds(62))),
                .progress(.shutdown(.waveStarted(number: 1, of: 2, services: ["api"]))),
                .journaled("api", .notConnected),
                .progress(.shutdown(.serviceFinished("api", .notConnected, after: nil))),
                .progress(.shutdown(.waveStarted(number: 2, of: 2, services: ["cache", "database"]))),
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "cache"),
                .scheduleTimer(.shutdown(.stopDeadline("cache")), at: .after(.seconds(14))),
                // database's process had ended: no order goes to its (still connected) agent.
                .journaled("database", .acknowledged(.alreadyExited(.exited(1)))),
                .progress(
                    .shutdown(.serviceFinished("database", .acknowledged(.alreadyExited(.exited(1))), after: nil))),
            ])
        #expect(coordinator.isShuttingDown)
        clock.advance(by: .seconds(1))
        let actions = withoutRetransmission(coordinator.stopAcknowledged("cache", outcome: clean, now: clock.now))
        guard case .finish(let report) = try #require(actions.last) else {
            Issue.record("expected .finish, got \(actions)")
            return
        }
        #expect(report.startupFailure == failure)
        #expect(report.termination == .completed)
        #expect(report.exitCode == 2)
        #expect(coordinator.status(now: clock.now).map(\.state) == [.failed, .stopped, .waiting])
    }

    @Test("A start timeout marks the service timed out; with on_start_failure: leave the fleet keeps running")
    func startTimeoutLeave() throws {
        var configuration = configuration
        configuration.coordinator.onStartFailure = .leave
        var clock = ManualClock()
        var coordinator = Coordinator(configuration: configuration, now: clock.now)
        try registerFirstWave(on: &coordinator, now: clock.now)
        clock.advance(by: .seconds(2))
        #expect(
            coordinator.serviceReady("database", now: clock.now) == [
                .cancelTimer(.retransmit("database")),
                .cancelTimer(.startup(.startDeadline("database"))),
                .progress(.startup(.serviceReady("database", after: .seconds(2)))),
            ])

        clock.advance(by: .seconds(28))
        let failure = StartupFailure(service: "cache", reason: .timedOut(.seconds(30)), notStarted: ["api"])
        #expect(
            withoutRetransmission(coordinator.timerFired(.startup(.startDeadline("cache")), now: clock.now)) == [
                .cancelTimer(.startup(.startDeadline("cache"))),
                .progress(.startupFailed(failure)),
            ])
        #expect(!coordinator.isShuttingDown)
        let cache = try #require(coordinator.status(now: clock.now).first { $0.service == "cache" })
        #expect(cache.state == .timedOut)
        #expect(cache.detail == "not ready within its start timeout (30s)")

        let actions = withoutRetransmission(coordinator.shutdownRequested(now: clock.now))
        #expect(Array(actions.prefix(2)) == [.journal(.shutdownBegan(.waves)), .progress(.shutdownBegan)])
        #expect(coordinator.isShuttingDown)
    }

    @Test("A shutdown requested during startup cancels the start deadlines first")
    func shutdownDuringStartup() throws {
        var coordinator = Coordinator(configuration: configuration, now: .zero)
        try registerFirstWave(on: &coordinator, now: .zero)
        let actions = withoutRetransmission(coordinator.shutdownRequested(now: .after(.seconds(1))))
        #expect(
            Array(actions.prefix(3)) == [
                .cancelTimer(.startup(.startDeadline("cache"))),
                .cancelTimer(.startup(.startDeadline("database"))),
                .journal(.shutdownBegan(.waves)),
            ])
        #expect(
            withoutRetransmission(coordinator.timerFired(.startup(.startDeadline("cache")), now: .after(.seconds(30))))
                == [])
    }

    @Test("Status has one row per service in declaration order")
    func statusRows() throws {
        let databasePID: Int32 = 4242
        var clock = ManualClock()
        var coordinator = Coordinator(configuration: configuration, now: clock.now)
        try registerFirstWave(on: &coordinator, now: clock.now)
        #expect(
            coordinator.serviceStarted("database", pid: databasePID, now: clock.now) == [
                .cancelTimer(.retransmit("database"))
            ])
        clock.advance(by: .seconds(2))
        #expect(
            coordinator.serviceReady("database", now: clock.now) == [
                .cancelTimer(.startup(.startDeadline("database"))),
                .progress(.startup(.serviceReady("database", after: .seconds(2)))),
            ])
        clock.advance(by: .seconds(3))

        #expect(
            coordinator.status(now: clock.now) == [
                ServiceStatus(
                    service: "database", ready: 1,
                    instances: [
                        InstanceStatus(
                            instance: "host-database", state: .ready, connected: true, host: "host-database",
                            pid: databasePID, uptime: .seconds(3), sinceLastChange: .seconds(3))
                    ]),
                ServiceStatus(
                    service: "cache", ready: 0,
                    instances: [
                        InstanceStatus(
                            instance: "host-cache", state: .starting, connected: true, host: "host-cache",
                            sinceLastChange: .seconds(5))
                    ]),
                ServiceStatus(service: "api", ready: 0, instances: []),
            ])
    }

    @Test("Status shows a failed start with the agent's message")
    func statusOfFailedStart() throws {
        var configuration = configuration
        configuration.coordinator.onStartFailure = .leave
        var coordinator = Coordinator(configuration: configuration, now: .zero)
        try registerFirstWave(on: &coordinator, now: .zero)

        #expect(
            withoutRetransmission(
                coordinator.serviceStartFailed("cache", message: "port 6379 in use", now: .after(.seconds(2)))) == [
                    .progress(.serviceFailed("cache", reason: "port 6379 in use")),
                    .cancelTimer(.startup(.startDeadline("cache"))),
                    .cancelTimer(.startup(.startDeadline("database"))),
                    .progress(
                        .startupFailed(
                            StartupFailure(
                                service: "cache", reason: .failed("port 6379 in use"), notStarted: ["api"]))),
                ])
        let cache = try #require(coordinator.status(now: .after(.seconds(3))).first { $0.service == "cache" })
        #expect(cache.state == .failed)
        #expect(cache.detail == "port 6379 in use")
        #expect(cache.sinceLastChange == .seconds(1))
        #expect(cache.uptime == nil)
    }
}
