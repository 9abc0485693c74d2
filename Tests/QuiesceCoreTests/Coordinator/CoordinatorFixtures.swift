import QuiesceCore
import Testing

/// The coordinator of the seed fleet (`api` depends on `database` and `cache`), brought to a known
/// point with the actions of every step checked, and helpers to read its actions.
enum CoordinatorFixtures {
    typealias Coordinator = CoordinatorStateMachine

    /// The seed fleet with the default settings: suspect after 2 s, lost after 5 s, a 60 s shutdown
    /// and a 2 s acknowledgement grace.
    static func seedConfiguration() throws -> Configuration {
        Configuration(graph: try Fixtures.seedGraph())
    }

    /// What the coordinator answers first to any accepted registration at `now`: the agent is
    /// connected, and its silence deadlines (2 s to suspect, 5 s to lost) run.
    static func connected(_ service: InstanceID, host: String, now: Timestamp) -> [Coordinator.Action] {
        [
            .progress(.agentConnected(service, host: host)),
            .scheduleTimer(.suspect(service), at: now + .seconds(2)),
            .scheduleTimer(.lost(service), at: now + .seconds(5)),
        ]
    }

    /// A start order to `service` at `now`, with its first retransmission 1 s later.
    static func startOrdered(_ service: InstanceID, now: Timestamp) -> [Coordinator.Action] {
        [
            .send(.start(readiness: nil, restart: nil), to: service),
            .scheduleTimer(.retransmit(service), at: now + .seconds(1)),
        ]
    }

    /// Registers `service` from `host-<service>`, which must be accepted, and returns the actions.
    static func register(
        _ service: String, on coordinator: inout Coordinator, now: Timestamp
    ) throws -> [Coordinator.Action] {
        try coordinator.agentRegistered(.only(service), host: "host-\(service)", now: now).get()
    }

    /// Registers the seed fleet's three agents at `now`, each from `host-<service>`: once cache and
    /// database are both connected, the first wave is ordered to start.
    static func registerFleet(on coordinator: inout Coordinator, now: Timestamp) throws {
        #expect(
            try coordinator.agentRegistered("database", host: "host-database", now: now).get()
                == connected("database", host: "host-database", now: now))
        #expect(
            try coordinator.agentRegistered("cache", host: "host-cache", now: now).get()
                == connected("cache", host: "host-cache", now: now) + firstWaveStarted(now: now))
        #expect(
            try coordinator.agentRegistered("api", host: "host-api", now: now).get()
                == connected("api", host: "host-api", now: now))
    }

    /// The seed fleet's first wave (cache, database) ordered to start at `now`, with their 30 s start
    /// deadlines.
    static func firstWaveStarted(now: Timestamp) -> [Coordinator.Action] {
        [.progress(.startup(.waveStarted(number: 1, of: 2, services: ["cache", "database"])))]
            + startOrdered("cache", now: now) + [
                .scheduleTimer(.startup(.startDeadline("cache")), at: now + .seconds(30))
            ]
            + startOrdered("database", now: now) + [
                .scheduleTimer(.startup(.startDeadline("database")), at: now + .seconds(30))
            ]
    }

    /// Cache, then database, report ready at `now`, `after` their start order: the second wave (api,
    /// whose agent is connected) is ordered to start.
    static func readyFirstWave(on coordinator: inout Coordinator, after: Duration, now: Timestamp) {
        #expect(
            coordinator.serviceReady("cache", now: now) == [
                .cancelTimer(.retransmit("cache")),
                .cancelTimer(.startup(.startDeadline("cache"))),
                .progress(.startup(.serviceReady("cache", after: after))),
            ])
        #expect(
            coordinator.serviceReady("database", now: now) == [
                .cancelTimer(.retransmit("database")),
                .cancelTimer(.startup(.startDeadline("database"))),
                .progress(.startup(.serviceReady("database", after: after))),
                .progress(.startup(.waveStarted(number: 2, of: 2, services: ["api"]))),
            ] + startOrdered("api", now: now) + [
                .scheduleTimer(.startup(.startDeadline("api")), at: now + .seconds(30))
            ])
    }

    /// The seed fleet's coordinator, started at `clock.now`: the three agents register at once,
    /// cache and database are ready 1 s later, api 3 s after that, when the startup is complete
    /// (the clock is left 4 s on).
    static func runningFleet(clock: inout ManualClock) throws -> Coordinator {
        var coordinator = Coordinator(configuration: try seedConfiguration(), now: clock.now)
        try registerFleet(on: &coordinator, now: clock.now)
        clock.advance(by: .seconds(1))
        readyFirstWave(on: &coordinator, after: .seconds(1), now: clock.now)
        clock.advance(by: .seconds(3))
        #expect(
            coordinator.serviceReady("api", now: clock.now) == [
                .cancelTimer(.retransmit("api")),
                .cancelTimer(.startup(.startDeadline("api"))),
                .progress(.startup(.serviceReady("api", after: .seconds(3)))),
                .progress(.startupComplete(after: .seconds(4), waitingForAgents: .zero)),
            ])
        #expect(coordinator.phaseName == "running")
        return coordinator
    }

    /// What the running seed fleet answers to a shutdown request at `now`: the journal and progress
    /// say it began, its 60 s deadline runs, and api, alone in the first wave, is ordered to stop
    /// (10 s, plus the 2 s grace) and to exit after.
    static func fleetShutdownBegan(now: Timestamp) -> [Coordinator.Action] {
        [
            .journal(.shutdownBegan(.waves)),
            .progress(.shutdownBegan),
            .scheduleTimer(.shutdown(.shutdownDeadline), at: now + .seconds(60)),
            .progress(.shutdown(.waveStarted(number: 1, of: 2, services: ["api"]))),
            .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "api"),
            .scheduleTimer(.retransmit("api"), at: now + .seconds(1)),
            .scheduleTimer(.shutdown(.stopDeadline("api")), at: now + .seconds(12)),
        ]
    }

    /// The orders among `actions`.
    static func sends(_ actions: [Coordinator.Action]) -> [Coordinator.Action] {
        actions.filter { if case .send = $0 { true } else { false } }
    }
}

extension CoordinatorStateMachine.Action {
    /// The journal entry that follows the conclusion of `service` with `outcome`.
    static func journaled(_ service: String, _ outcome: ShutdownOutcome) -> Self {
        .journal(
            .outcome(service, RecordedOutcome(code: outcome.code, clean: outcome.isClean, detail: outcome.description)))
    }
}

/// `actions` without the retransmission timers of sent orders, for tests about something else
/// (retransmission has tests of its own).
func withoutRetransmission(_ actions: [CoordinatorStateMachine.Action]) -> [CoordinatorStateMachine.Action] {
    actions.filter {
        switch $0 {
        case .scheduleTimer(.retransmit, _), .cancelTimer(.retransmit): false
        default: true
        }
    }
}
