import Testing

@testable import QuiesceCore

/// One run of the shutdown machine, begun from the service table and translated for the coordinator.
@Suite("Coordinator state machine: shutdown run")
struct ShutdownRunTests {
    typealias Run = CoordinatorStateMachine.ShutdownRun
    typealias Table = CoordinatorStateMachine.ServiceTable

    let graph: ServiceGraph
    let settings = CoordinatorSettings()
    let clean = StopOutcome.stopped(.exited(0))

    init() throws {
        graph = try Fixtures.seedGraph()
    }

    @Test(
        "The fleet's run: a service stopped earlier is concluded and its agent told to exit, an ended one is not ordered"
    )
    func fleetConditions() {
        var table = Table(graph: graph, now: .zero)
        for name in graph.names { table.connect(.only(name), host: "h", now: .zero) }
        table.change("api", to: .stopped, now: .zero, detail: "stopped (exit code 0)")
        table.recordExit(.exited(1), of: "cache", now: .zero)
        var run = Run(of: graph, for: .fleet, settings: settings)
        let stoppedEarlier = ShutdownOutcome.stoppedEarlier("stopped (exit code 0)")
        let exited = ShutdownOutcome.acknowledged(.alreadyExited(.exited(1)))
        let start = run.start(services: &table, recorded: RecordedShutdown(), missingAreLost: false, now: .zero)
        #expect(
            start.actions == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "api"),
                .scheduleTimer(.retransmit("api"), at: .after(.seconds(1))),
                .scheduleTimer(.shutdown(.shutdownDeadline), at: .after(.seconds(60))),
                .progress(.shutdown(.waveStarted(number: 1, of: 2, services: ["api"]))),
                .journaled("api", stoppedEarlier),
                .progress(.shutdown(.serviceFinished("api", stoppedEarlier, after: nil))),
                .progress(.shutdown(.waveStarted(number: 2, of: 2, services: ["cache", "database"]))),
                .journaled("cache", exited),
                .progress(.shutdown(.serviceFinished("cache", exited, after: nil))),
                .send(.stop(timeout: .seconds(20), drain: .zero, exit: true), to: "database"),
                .scheduleTimer(.retransmit("database"), at: .after(.seconds(1))),
                .scheduleTimer(.shutdown(.stopDeadline("database")), at: .after(.seconds(22))),
            ])
        #expect(start.report == nil)
        #expect(table.state(of: "database") == .stopping)
        #expect(table.state(of: "cache") == .failed)
        #expect(table.detail(of: "cache") == "process had ended (exit code 1)")

        let done = run.stopAcknowledged("database", outcome: clean, services: &table, now: .after(.seconds(1)))
        #expect(
            done.actions == [
                .cancelTimer(.shutdown(.stopDeadline("database"))),
                .journaled("database", .acknowledged(clean)),
                .progress(.shutdown(.serviceFinished("database", .acknowledged(clean), after: .seconds(1)))),
                .cancelTimer(.shutdown(.shutdownDeadline)),
                .cancelTimer(.shutdown(.killGrace)),
            ])
        #expect(
            done.report
                == ShutdownReport(
                    entries: [
                        .init(
                            service: "api", wave: 1, outcome: stoppedEarlier, duration: nil,
                            instances: [.init(instance: "host-api", outcome: stoppedEarlier, duration: nil)]),
                        .init(
                            service: "cache", wave: 2, outcome: exited, duration: nil,
                            instances: [.init(instance: "host-cache", outcome: exited, duration: nil)]),
                        .init(
                            service: "database", wave: 2, outcome: .acknowledged(clean), duration: .seconds(1),
                            instances: [
                                .init(instance: "host-database", outcome: .acknowledged(clean), duration: .seconds(1))
                            ]),
                    ],
                    total: .seconds(1), termination: .completed, criticalPath: ["database"]))
        #expect(table.state(of: "database") == .stopped)
    }

    @Test(
        "A resumed run keeps what the journal recorded, without journaling it again, and the agents not back are lost")
    func resumed() {
        var table = Table(graph: graph, now: .zero)
        let recorded = RecordedOutcome(code: "stopped", clean: true, detail: "stopped (exit code 0)")
        var run = Run(of: graph, for: .fleet, settings: settings)
        let start = run.start(
            services: &table, recorded: RecordedShutdown(services: ["api": recorded]), missingAreLost: true, now: .zero)
        #expect(
            start.actions == [
                .scheduleTimer(.shutdown(.shutdownDeadline), at: .after(.seconds(60))),
                .progress(.shutdown(.waveStarted(number: 1, of: 2, services: ["api"]))),
                .progress(.shutdown(.serviceFinished("api", .recorded(recorded), after: nil))),
                .progress(.shutdown(.waveStarted(number: 2, of: 2, services: ["cache", "database"]))),
                .journaled("cache", .lost),
                .progress(.shutdown(.serviceFinished("cache", .lost, after: nil))),
                .journaled("database", .lost),
                .progress(.shutdown(.serviceFinished("database", .lost, after: nil))),
                .cancelTimer(.shutdown(.shutdownDeadline)),
                .cancelTimer(.shutdown(.killGrace)),
            ])
        #expect(start.report?.entries.map(\.outcome.code) == ["stopped", "lost", "lost"])
        #expect(table.instanceCount(of: "api") == 0, "no agent came back: no instance to record it on")
    }

    @Test("An operation's run journals nothing and lets only the agent that asked exit")
    func operationRun() {
        var table = Table(graph: graph, now: .zero)
        for name in graph.names { table.connect(.only(name), host: "h", now: .zero) }
        let operation = Operation(kind: .stop, service: "database", requestedByAgent: true)
        var run = Run(
            of: graph.restricted(to: graph.withDependents(of: "database")),
            for: .operation(operation, stopReport: nil), settings: settings)
        #expect(
            run.start(services: &table, recorded: RecordedShutdown(), missingAreLost: false, now: .zero).actions == [
                .scheduleTimer(.shutdown(.shutdownDeadline), at: .after(.seconds(60))),
                .progress(.shutdown(.waveStarted(number: 1, of: 2, services: ["api"]))),
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "api"),
                .scheduleTimer(.retransmit("api"), at: .after(.seconds(1))),
                .scheduleTimer(.shutdown(.stopDeadline("api")), at: .after(.seconds(12))),
            ])
        let apiStopped = run.stopAcknowledged("api", outcome: clean, services: &table, now: .zero)
        #expect(
            apiStopped.actions == [
                .cancelTimer(.shutdown(.stopDeadline("api"))),
                .progress(.shutdown(.serviceFinished("api", .acknowledged(clean), after: .zero))),
                .progress(.shutdown(.waveStarted(number: 2, of: 2, services: ["database"]))),
                .send(.stop(timeout: .seconds(20), drain: .zero, exit: true), to: "database"),
                .scheduleTimer(.retransmit("database"), at: .after(.seconds(1))),
                .scheduleTimer(.shutdown(.stopDeadline("database")), at: .after(.seconds(22))),
            ])
        let timedOut = run.feed(
            { $0.timerFired(.stopDeadline("database"), now: .after(.seconds(22))) }, services: &table,
            now: .after(.seconds(22)))
        #expect(
            timedOut.actions == [
                .send(.kill(exit: true), to: "database"),
                .scheduleTimer(.retransmit("database"), at: .after(.seconds(23))),
                .progress(.shutdown(.serviceFinished("database", .timedOut, after: .seconds(22)))),
                .cancelTimer(.shutdown(.shutdownDeadline)),
                .cancelTimer(.shutdown(.killGrace)),
            ])
        #expect(timedOut.report?.entries.map(\.service) == ["api", "database"])
        #expect(table.state(of: "database") == .timedOut)
        #expect(table.state(of: "cache") == .waiting, "not part of the run")
    }
}
