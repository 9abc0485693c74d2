import QuiesceCore
import Testing

@Suite("Shutdown state machine")
struct ShutdownStateMachineTests {
    typealias Machine = ShutdownStateMachine

    let graph: ServiceGraph
    let clean = StopOutcome.stopped(.exited(0))

    init() throws {
        graph = try Fixtures.seedGraph()
    }

    func machine(
        _ graph: ServiceGraph? = nil, shutdownTimeout: Duration = .seconds(60), ackGrace: Duration = .seconds(2)
    ) -> Machine {
        let graph = graph ?? self.graph
        return Machine(graph: graph, plan: Plan(graph: graph), shutdownTimeout: shutdownTimeout, ackGrace: ackGrace)
    }

    func allConnected(_ graph: ServiceGraph? = nil) -> [String: Machine.Condition] {
        Dictionary(uniqueKeysWithValues: (graph ?? self.graph).names.map { ($0, .connected) })
    }

    /// How the seed graph's shutdown begins at `now` with api connected: the deadline, and api's
    /// stop order with its deadline (10 s, plus the 2 s grace).
    func apiOrdered(now: Timestamp, shutdownTimeout: Duration = .seconds(60)) -> [Machine.Action] {
        [
            .scheduleTimer(.shutdownDeadline, at: now + shutdownTimeout),
            .progress(.waveStarted(number: 1, of: 2, services: ["api"])),
            .sendStop(service: "api", timeout: .seconds(10)),
            .scheduleTimer(.stopDeadline("api"), at: now + .seconds(12)),
        ]
    }

    /// The report in the last action, which must be `.finish`.
    func report(_ actions: [Machine.Action]) throws -> ShutdownReport {
        guard case .finish(let report) = try #require(actions.last) else {
            Issue.record("expected .finish last, got \(actions)")
            throw CancellationError()
        }
        return report
    }

    @Test("The seed graph stops api first, then database and cache once api has acknowledged")
    func seedOrder() throws {
        var clock = ManualClock()
        var shutdown = machine()

        #expect(
            shutdown.start(conditions: allConnected(), now: clock.now) == [
                .scheduleTimer(.shutdownDeadline, at: .after(.seconds(60))),
                .progress(.waveStarted(number: 1, of: 2, services: ["api"])),
                .sendStop(service: "api", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("api"), at: .after(.seconds(12))),
            ])
        clock.advance(by: .milliseconds(500))
        #expect(shutdown.stopAcknowledged("database", outcome: clean, now: clock.now) == [])
        clock.advance(by: .milliseconds(500))
        #expect(
            shutdown.stopAcknowledged("api", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("api")),
                .progress(.serviceFinished("api", .acknowledged(clean), after: .seconds(1))),
                .progress(.waveStarted(number: 2, of: 2, services: ["cache", "database"])),
                .sendStop(service: "cache", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("cache"), at: .after(.seconds(13))),
                .sendStop(service: "database", timeout: .seconds(20)),
                .scheduleTimer(.stopDeadline("database"), at: .after(.seconds(23))),
            ])
        clock.advance(by: .milliseconds(500))
        #expect(
            shutdown.stopAcknowledged("cache", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("cache")),
                .progress(.serviceFinished("cache", .acknowledged(clean), after: .milliseconds(500))),
            ])
        #expect(!shutdown.isFinished)
        clock.advance(by: .milliseconds(1500))
        let last = shutdown.stopAcknowledged("database", outcome: clean, now: clock.now)
        #expect(
            Array(last.dropLast()) == [
                .cancelTimer(.stopDeadline("database")),
                .progress(.serviceFinished("database", .acknowledged(clean), after: .seconds(2))),
                .cancelTimer(.shutdownDeadline),
                .cancelTimer(.killGrace),
            ])
        #expect(shutdown.isFinished)

        let report = try report(last)
        #expect(
            report.entries == [
                .init(service: "api", wave: 1, outcome: .acknowledged(clean), duration: .seconds(1)),
                .init(service: "cache", wave: 2, outcome: .acknowledged(clean), duration: .milliseconds(500)),
                .init(service: "database", wave: 2, outcome: .acknowledged(clean), duration: .seconds(2)),
            ])
        #expect(report.total == .seconds(3))
        #expect(report.termination == .completed)
        #expect(report.criticalPath == ["api", "database"])
        #expect(report.isClean)
        #expect(report.exitCode == 0)
        #expect(report.stillRunningWhenKilled == [])
        #expect(shutdown.stopAcknowledged("api", outcome: clean, now: clock.now) == [])
    }

    @Test("A shared dependency is stopped only after its slower dependent has acknowledged")
    func sharedDependency() throws {
        let graph = try ServiceGraph(validating: [
            ServiceSpec(name: "db"),
            ServiceSpec(name: "fast", dependencies: ["db"]),
            ServiceSpec(name: "slow", dependencies: ["db"], stopTimeout: .seconds(30)),
        ])
        var clock = ManualClock()
        var shutdown = machine(graph)

        #expect(
            shutdown.start(conditions: allConnected(graph), now: clock.now) == [
                .scheduleTimer(.shutdownDeadline, at: .after(.seconds(60))),
                .progress(.waveStarted(number: 1, of: 2, services: ["fast", "slow"])),
                .sendStop(service: "fast", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("fast"), at: .after(.seconds(12))),
                .sendStop(service: "slow", timeout: .seconds(30)),
                .scheduleTimer(.stopDeadline("slow"), at: .after(.seconds(32))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            shutdown.stopAcknowledged("fast", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("fast")),
                .progress(.serviceFinished("fast", .acknowledged(clean), after: .seconds(1))),
            ])
        clock.advance(by: .seconds(11))
        #expect(shutdown.timerFired(.stopDeadline("fast"), now: clock.now) == [])
        clock.advance(by: .seconds(13))
        #expect(
            shutdown.stopAcknowledged("slow", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("slow")),
                .progress(.serviceFinished("slow", .acknowledged(clean), after: .seconds(25))),
                .progress(.waveStarted(number: 2, of: 2, services: ["db"])),
                .sendStop(service: "db", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("db"), at: .after(.seconds(37))),
            ])
        clock.advance(by: .seconds(2))
        let report = try report(shutdown.stopAcknowledged("db", outcome: clean, now: clock.now))
        #expect(report.criticalPath == ["slow", "db"])
        #expect(report.total == .seconds(27))
        #expect(report.exitCode == 0)
    }

    @Test("A stop not acknowledged by its timeout plus the grace times out, is killed, and the next wave begins")
    func stopDeadline() throws {
        var clock = ManualClock()
        var shutdown = machine()

        #expect(shutdown.start(conditions: allConnected(), now: clock.now) == apiOrdered(now: clock.now))
        clock.advance(by: .seconds(12))
        #expect(
            shutdown.timerFired(.stopDeadline("api"), now: clock.now) == [
                .sendKill(service: "api"),
                .progress(.serviceFinished("api", .timedOut, after: .seconds(12))),
                .progress(.waveStarted(number: 2, of: 2, services: ["cache", "database"])),
                .sendStop(service: "cache", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("cache"), at: .after(.seconds(24))),
                .sendStop(service: "database", timeout: .seconds(20)),
                .scheduleTimer(.stopDeadline("database"), at: .after(.seconds(34))),
            ])
        clock.advance(by: .seconds(1))
        #expect(shutdown.stopAcknowledged("api", outcome: .killedAfterTimeout, now: clock.now) == [])
        #expect(
            shutdown.stopAcknowledged("cache", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("cache")),
                .progress(.serviceFinished("cache", .acknowledged(clean), after: .seconds(1))),
            ])
        let report = try report(shutdown.stopAcknowledged("database", outcome: clean, now: clock.now))
        #expect(report.entries.first == .init(service: "api", wave: 1, outcome: .timedOut, duration: .seconds(12)))
        #expect(report.termination == .completed)
        #expect(!report.isClean)
        #expect(report.exitCode == 1)
    }

    @Test("An agent lost during its wave concludes as lost and the wave proceeds")
    func agentLostDuringWave() throws {
        var clock = ManualClock()
        var shutdown = machine()

        #expect(shutdown.start(conditions: allConnected(), now: clock.now) == apiOrdered(now: clock.now))
        clock.advance(by: .seconds(3))
        #expect(
            shutdown.agentLost("api", now: clock.now) == [
                .cancelTimer(.stopDeadline("api")),
                .progress(.serviceFinished("api", .lost, after: .seconds(3))),
                .progress(.waveStarted(number: 2, of: 2, services: ["cache", "database"])),
                .sendStop(service: "cache", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("cache"), at: .after(.seconds(15))),
                .sendStop(service: "database", timeout: .seconds(20)),
                .scheduleTimer(.stopDeadline("database"), at: .after(.seconds(25))),
            ])
        #expect(shutdown.stopAcknowledged("api", outcome: clean, now: clock.now) == [])
        #expect(
            shutdown.stopAcknowledged("cache", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("cache")),
                .progress(.serviceFinished("cache", .acknowledged(clean), after: .zero)),
            ])
        let report = try report(shutdown.stopAcknowledged("database", outcome: clean, now: clock.now))
        #expect(report.entries.map(\.outcome) == [.lost, .acknowledged(clean), .acknowledged(clean)])
        #expect(report.exitCode == 1)
    }

    @Test("Services not connected, lost or exited at the start get their outcome without an order")
    func unreachableAtStart() throws {
        var shutdown = machine()
        let actions = shutdown.start(
            conditions: ["api": .notConnected, "cache": .lost, "database": .exited(.signalled(9))], now: .zero)
        #expect(
            Array(actions.dropLast()) == [
                .scheduleTimer(.shutdownDeadline, at: .after(.seconds(60))),
                .progress(.waveStarted(number: 1, of: 2, services: ["api"])),
                .progress(.serviceFinished("api", .notConnected, after: nil)),
                .progress(.waveStarted(number: 2, of: 2, services: ["cache", "database"])),
                .progress(.serviceFinished("cache", .lost, after: nil)),
                .progress(.serviceFinished("database", .acknowledged(.alreadyExited(.signalled(9))), after: nil)),
                .cancelTimer(.shutdownDeadline),
                .cancelTimer(.killGrace),
            ])
        #expect(shutdown.isFinished)
        let report = try report(actions)
        #expect(report.entries.map(\.duration) == [nil, nil, nil])
        #expect(report.criticalPath == [])
        #expect(report.total == .zero)
        #expect(report.termination == .completed)
        #expect(!report.isClean)
        #expect(report.exitCode == 1)
    }

    @Test("Services left out of the conditions count as not connected")
    func unnamedServices() throws {
        var shutdown = machine()
        #expect(
            shutdown.start(conditions: ["api": .connected], now: .zero) == [
                .scheduleTimer(.shutdownDeadline, at: .after(.seconds(60))),
                .progress(.waveStarted(number: 1, of: 2, services: ["api"])),
                .sendStop(service: "api", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("api"), at: .after(.seconds(12))),
            ])
        let report = try report(shutdown.stopAcknowledged("api", outcome: clean, now: .after(.seconds(1))))
        #expect(report.entries.map(\.outcome) == [.acknowledged(clean), .notConnected, .notConnected])
    }

    @Test("What happens to a later-wave service before its wave decides how it is treated then")
    func changesBeforeTheWave() throws {
        var clock = ManualClock()
        var shutdown = machine()

        #expect(
            shutdown.start(conditions: ["api": .connected, "cache": .connected], now: clock.now)
                == apiOrdered(now: clock.now))
        clock.advance(by: .seconds(1))
        #expect(shutdown.agentLost("cache", now: clock.now) == [])
        #expect(shutdown.agentConnected("database", now: clock.now) == [])
        // api's agent registered again while its stop was under way: the order goes out again.
        #expect(
            shutdown.agentConnected("api", now: clock.now) == [
                .sendStop(service: "api", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("api"), at: .after(.seconds(13))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            shutdown.stopAcknowledged("api", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("api")),
                .progress(.serviceFinished("api", .acknowledged(clean), after: .seconds(1))),
                .progress(.waveStarted(number: 2, of: 2, services: ["cache", "database"])),
                .progress(.serviceFinished("cache", .lost, after: nil)),
                .sendStop(service: "database", timeout: .seconds(20)),
                .scheduleTimer(.stopDeadline("database"), at: .after(.seconds(24))),
            ])
    }

    @Test("A process that ends before its wave is reported as already exited")
    func exitedBeforeItsWave() throws {
        var shutdown = machine()
        #expect(shutdown.start(conditions: ["api": .connected], now: .zero) == apiOrdered(now: .zero))
        #expect(shutdown.serviceExited("cache", status: .exited(1), now: .after(.seconds(1))) == [])
        #expect(shutdown.serviceExited("api", status: .exited(0), now: .after(.seconds(1))) == [])
        let actions = shutdown.stopAcknowledged("api", outcome: clean, now: .after(.seconds(2)))
        #expect(
            actions.contains(
                .progress(.serviceFinished("cache", .acknowledged(.alreadyExited(.exited(1))), after: nil))))
        let report = try report(actions)
        #expect(
            report.entries.map(\.outcome) == [
                .acknowledged(clean), .acknowledged(.alreadyExited(.exited(1))), .notConnected,
            ])
    }

    @Test("At the shutdown deadline every remaining service is killed and the report says so")
    func shutdownDeadline() throws {
        var clock = ManualClock()
        var shutdown = machine(shutdownTimeout: .seconds(5))

        #expect(
            shutdown.start(conditions: allConnected(), now: clock.now).first
                == .scheduleTimer(.shutdownDeadline, at: .after(.seconds(5))))
        clock.advance(by: .seconds(5))
        #expect(
            shutdown.timerFired(.shutdownDeadline, now: clock.now) == [
                .cancelTimer(.shutdownDeadline),
                .progress(.killingRemaining(["api", "cache", "database"], reason: .deadline)),
                .cancelTimer(.stopDeadline("api")),
                .sendKill(service: "api"),
                .sendKill(service: "cache"),
                .sendKill(service: "database"),
                .scheduleTimer(.killGrace, at: .after(.seconds(7))),
            ])
        #expect(shutdown.timerFired(.stopDeadline("api"), now: clock.now) == [])
        clock.advance(by: .milliseconds(200))
        #expect(
            shutdown.stopAcknowledged("api", outcome: .killed, now: clock.now) == [
                .progress(.serviceFinished("api", .killed(.killed, reason: .deadline), after: .milliseconds(5200)))
            ])
        clock.advance(by: .milliseconds(100))
        #expect(
            shutdown.stopAcknowledged("cache", outcome: .killed, now: clock.now) == [
                .progress(.serviceFinished("cache", .killed(.killed, reason: .deadline), after: .milliseconds(300)))
            ])
        clock.advance(by: .milliseconds(500))
        let actions = shutdown.stopAcknowledged("database", outcome: .killed, now: clock.now)
        #expect(
            Array(actions.dropLast()) == [
                .progress(.serviceFinished("database", .killed(.killed, reason: .deadline), after: .milliseconds(800))),
                .cancelTimer(.shutdownDeadline),
                .cancelTimer(.killGrace),
            ])
        let report = try report(actions)
        #expect(report.termination == .deadline)
        #expect(report.stillRunningWhenKilled == ["api", "cache", "database"])
        #expect(report.total == .milliseconds(5800))
        #expect(report.criticalPath == ["api", "database"])
        #expect(!report.isClean)
        #expect(report.exitCode == 3)
    }

    @Test("Kill orders not acknowledged within the grace are reported unacknowledged")
    func killGraceExpiry() throws {
        var clock = ManualClock()
        var shutdown = machine(shutdownTimeout: .seconds(15))

        #expect(
            shutdown.start(conditions: allConnected(), now: clock.now)
                == apiOrdered(now: clock.now, shutdownTimeout: .seconds(15)))
        clock.advance(by: .seconds(1))
        #expect(
            shutdown.stopAcknowledged("api", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("api")),
                .progress(.serviceFinished("api", .acknowledged(clean), after: .seconds(1))),
                .progress(.waveStarted(number: 2, of: 2, services: ["cache", "database"])),
                .sendStop(service: "cache", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("cache"), at: .after(.seconds(13))),
                .sendStop(service: "database", timeout: .seconds(20)),
                .scheduleTimer(.stopDeadline("database"), at: .after(.seconds(23))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            shutdown.stopAcknowledged("cache", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("cache")),
                .progress(.serviceFinished("cache", .acknowledged(clean), after: .seconds(1))),
            ])
        clock.advance(by: .seconds(13))
        #expect(
            shutdown.timerFired(.shutdownDeadline, now: clock.now) == [
                .cancelTimer(.shutdownDeadline),
                .progress(.killingRemaining(["database"], reason: .deadline)),
                .cancelTimer(.stopDeadline("database")),
                .sendKill(service: "database"),
                .scheduleTimer(.killGrace, at: .after(.seconds(17))),
            ])
        clock.advance(by: .seconds(2))
        let actions = shutdown.timerFired(.killGrace, now: clock.now)
        #expect(
            Array(actions.dropLast()) == [
                .progress(.serviceFinished("database", .killed(nil, reason: .deadline), after: .seconds(16))),
                .cancelTimer(.shutdownDeadline),
                .cancelTimer(.killGrace),
            ])
        let report = try report(actions)
        #expect(
            report.entries.last
                == .init(
                    service: "database", wave: 2, outcome: .killed(nil, reason: .deadline), duration: .seconds(16)))
        #expect(report.stillRunningWhenKilled == ["database"])
        #expect(report.total == .seconds(17))
        #expect(report.exitCode == 3)
        #expect(shutdown.stopAcknowledged("database", outcome: .killed, now: clock.now) == [])
    }

    @Test("Escalation kills every remaining service at once")
    func escalation() throws {
        var clock = ManualClock()
        var shutdown = machine()

        #expect(shutdown.escalate(now: clock.now) == [])
        #expect(
            shutdown.start(
                conditions: ["api": .connected, "cache": .connected, "database": .notConnected], now: clock.now)
                == apiOrdered(now: clock.now))
        clock.advance(by: .seconds(1))
        #expect(
            shutdown.escalate(now: clock.now) == [
                .cancelTimer(.shutdownDeadline),
                .progress(.killingRemaining(["api", "cache", "database"], reason: .escalation)),
                .cancelTimer(.stopDeadline("api")),
                .sendKill(service: "api"),
                .sendKill(service: "cache"),
                .progress(.serviceFinished("database", .notConnected, after: nil)),
                .scheduleTimer(.killGrace, at: .after(.seconds(3))),
            ])
        #expect(shutdown.escalate(now: clock.now) == [])
        clock.advance(by: .milliseconds(100))
        #expect(
            shutdown.agentLost("cache", now: clock.now) == [
                .progress(.serviceFinished("cache", .lost, after: .milliseconds(100)))
            ])
        let report = try report(shutdown.stopAcknowledged("api", outcome: .killed, now: clock.now))
        #expect(report.termination == .escalated)
        #expect(report.entries.map(\.outcome) == [.killed(.killed, reason: .escalation), .lost, .notConnected])
        #expect(report.stillRunningWhenKilled == ["api"])
        #expect(report.exitCode == 3)
        #expect(shutdown.isFinished)
        #expect(shutdown.escalate(now: clock.now) == [])
        #expect(shutdown.agentConnected("api", now: clock.now) == [])
    }

    @Test("Unknown services and events before the start are ignored")
    func ignoredEvents() {
        var shutdown = machine()
        #expect(shutdown.stopAcknowledged("api", outcome: clean, now: .zero) == [])
        #expect(shutdown.agentLost("api", now: .zero) == [])
        #expect(shutdown.timerFired(.shutdownDeadline, now: .zero) == [])
        #expect(shutdown.start(conditions: allConnected(), now: .zero) == apiOrdered(now: .zero))
        #expect(shutdown.start(conditions: allConnected(), now: .zero) == [])
        #expect(shutdown.stopAcknowledged("queue", outcome: clean, now: .zero) == [])
        #expect(shutdown.agentConnected("queue", now: .zero) == [])
        #expect(shutdown.timerFired(.killGrace, now: .zero) == [])
    }

    @Test(
        "Outcomes count as clean only when stopped in time or never started",
        arguments: [
            (ShutdownOutcome.acknowledged(.stopped(.exited(0))), true),
            (.acknowledged(.stopped(.signalled(15))), true),
            (.acknowledged(.notStarted), true),
            (.acknowledged(.killedAfterTimeout), false),
            (.acknowledged(.alreadyExited(.exited(0))), false),
            (.timedOut, false), (.lost, false), (.notConnected, false),
            (.killed(.killed, reason: .deadline), false),
        ])
    func cleanOutcomes(outcome: ShutdownOutcome, clean: Bool) {
        #expect(outcome.isClean == clean)
        let report = ShutdownReport(
            entries: [.init(service: "solo", wave: 1, outcome: outcome, duration: nil)], total: .zero,
            termination: .completed, criticalPath: [])
        #expect(report.exitCode == (clean ? 0 : 1))
    }

    @Test("A failed startup sets exit code 2 whatever the shutdown's outcome")
    func startupFailureExitCode() {
        let failure = StartupFailure(service: "database", reason: .lost, notStarted: ["api"])
        let report = ShutdownReport(
            entries: [], total: .zero, termination: .deadline, criticalPath: [], startupFailure: failure)
        #expect(report.exitCode == 2)
        #expect(failure.description == #"service "database" failed to start: its agent was lost; not started: api"#)
    }
}

/// `on_unreachable: wait`: the shutdown waits for a silent agent until the deadline.
@Suite("Shutdown state machine: waiting for an unreachable service")
struct UnreachableWaitTests {
    func machine(waits: Bool) throws -> ShutdownStateMachine {
        var database = ServiceSpec(name: "database", stopTimeout: .seconds(5))
        database.waitsWhenUnreachable = waits
        let graph = try ServiceGraph(validating: [
            database, ServiceSpec(name: "api", dependencies: ["database"], stopTimeout: .seconds(5)),
        ])
        return ShutdownStateMachine(
            graph: graph, plan: Plan(graph: graph), shutdownTimeout: .seconds(30), ackGrace: .seconds(1))
    }

    /// How the shutdown begins at t+0 with api connected: the 30 s deadline, and api's stop order
    /// with its deadline (5 s, plus the 1 s grace).
    let apiOrdered: [ShutdownStateMachine.Action] = [
        .scheduleTimer(.shutdownDeadline, at: .after(.seconds(30))),
        .progress(.waveStarted(number: 1, of: 2, services: ["api"])),
        .sendStop(service: "api", timeout: .seconds(5)),
        .scheduleTimer(.stopDeadline("api"), at: .after(.seconds(6))),
    ]

    @Test("A waiting service lost in its wave holds the wave, and is ordered again when its agent is back")
    func waitsAndReorders() throws {
        var shutdown = try machine(waits: true)
        #expect(
            shutdown.start(conditions: ["database": .connected, "api": .connected], now: .zero) == apiOrdered)
        #expect(
            shutdown.stopAcknowledged("api", outcome: .stopped(.exited(0)), now: .after(.seconds(1))) == [
                .cancelTimer(.stopDeadline("api")),
                .progress(.serviceFinished("api", .acknowledged(.stopped(.exited(0))), after: .seconds(1))),
                .progress(.waveStarted(number: 2, of: 2, services: ["database"])),
                .sendStop(service: "database", timeout: .seconds(5)),
                .scheduleTimer(.stopDeadline("database"), at: .after(.seconds(7))),
            ])
        #expect(
            shutdown.agentLost("database", now: .after(.seconds(2))) == [
                .cancelTimer(.stopDeadline("database")), .progress(.serviceUnreachable("database")),
            ])
        #expect(!shutdown.isFinished)
        #expect(
            shutdown.agentConnected("database", now: .after(.seconds(4))) == [
                .sendStop(service: "database", timeout: .seconds(5)),
                .scheduleTimer(.stopDeadline("database"), at: .after(.seconds(10))),
            ])
        #expect(
            shutdown.stopAcknowledged("database", outcome: .stopped(.exited(0)), now: .after(.seconds(5))).last.map {
                if case .finish(let report) = $0 { report.isClean } else { false }
            } == true)
    }

    @Test("A waiting service that never comes back is given up at the deadline; a proceeding one at once")
    func deadline() throws {
        var waiting = try machine(waits: true)
        #expect(waiting.start(conditions: ["database": .lost, "api": .connected], now: .zero) == apiOrdered)
        #expect(
            waiting.stopAcknowledged("api", outcome: .stopped(.exited(0)), now: .after(.seconds(1))).contains(
                .progress(.serviceUnreachable("database"))))
        let end = waiting.timerFired(.shutdownDeadline, now: .after(.seconds(30)))
        guard case .finish(let report) = try #require(end.last) else {
            Issue.record("expected the report at the deadline")
            return
        }
        #expect(report.termination == .deadline)
        #expect(report.entries.first { $0.service == "database" }?.outcome == .lost)

        var proceeding = try machine(waits: false)
        #expect(proceeding.start(conditions: ["database": .lost, "api": .connected], now: .zero) == apiOrdered)
        #expect(
            proceeding.stopAcknowledged("api", outcome: .stopped(.exited(0)), now: .after(.seconds(1))).last.map {
                if case .finish = $0 { true } else { false }
            } == true)
    }
}
