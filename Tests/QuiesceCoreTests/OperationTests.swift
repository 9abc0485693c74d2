import QuiesceCore
import Testing

/// Targeted stop, start and restart on the seed graph (api depends on database and cache), event by event.
@Suite("Coordinator state machine: targeted operations")
struct CoordinatorOperationTests {
    typealias Coordinator = CoordinatorStateMachine
    let clean = StopOutcome.stopped(.exited(0))

    /// All three services ready at t+0.
    func runningFleet() throws -> Coordinator {
        var coordinator = Coordinator(configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero)
        for name in ["database", "cache", "api"] {
            _ = try coordinator.agentRegistered(name, host: "h", now: .zero).get()
        }
        _ = coordinator.serviceReady("cache", now: .zero)
        _ = coordinator.serviceReady("database", now: .zero)
        _ = coordinator.serviceReady("api", now: .zero)
        return coordinator
    }

    func sends(_ actions: [Coordinator.Action]) -> [Coordinator.Action] {
        actions.filter { if case .send = $0 { true } else { false } }
    }

    @Test("stop database stops api first, then database; cache is untouched and the agents stay")
    func stopTakesDependentsFirst() throws {
        var coordinator = try runningFleet()
        let operation = Operation(kind: .stop, service: "database")
        let begun = try coordinator.operationRequested(operation, now: .zero).get()
        #expect(begun.first == .progress(.operationBegan(operation)))
        #expect(sends(begun) == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "api")])
        #expect(coordinator.phaseName == "running (stop database)")

        #expect(
            sends(coordinator.stopAcknowledged("api", outcome: clean, now: .after(.seconds(1))))
                == [.send(.stop(timeout: .seconds(20), drain: .zero, exit: false), to: "database")])
        let done = coordinator.stopAcknowledged("database", outcome: clean, now: .after(.seconds(2)))
        guard case .operationFinished(let report) = try #require(done.last) else {
            Issue.record("expected the operation's report, got \(done)")
            return
        }
        #expect(report.operation == operation)
        #expect(report.stop?.entries.map(\.service) == ["api", "database"])
        #expect(report.exitCode == 0)
        #expect(coordinator.phaseName == "running")
        #expect(coordinator.status(now: .after(.seconds(2))).map(\.state) == [.stopped, .ready, .stopped])
    }

    @Test("start api starts what it needs that is not running, dependencies first")
    func startTakesDependenciesFirst() throws {
        var coordinator = try runningFleet()
        _ = try coordinator.operationRequested(Operation(kind: .stop, service: "database"), now: .zero).get()
        _ = coordinator.stopAcknowledged("api", outcome: clean, now: .zero)
        _ = coordinator.stopAcknowledged("database", outcome: clean, now: .zero)

        let start = Operation(kind: .start, service: "api")
        let begun = try coordinator.operationRequested(start, now: .after(.seconds(1))).get()
        #expect(
            sends(begun) == [.send(.start(readiness: nil, restart: nil), to: "database")], "cache is running already")
        _ = coordinator.serviceStarted("database", pid: 7, now: .after(.seconds(1)))
        #expect(
            sends(coordinator.serviceReady("database", now: .after(.seconds(2)))) == [
                .send(.start(readiness: nil, restart: nil), to: "api")
            ])
        #expect(
            coordinator.serviceReady("api", now: .after(.seconds(3))).last
                == .operationFinished(OperationReport(operation: start)))
    }

    @Test("restart cache stops api and cache, then starts them again in order")
    func restart() throws {
        var coordinator = try runningFleet()
        let operation = Operation(kind: .restart, service: "cache")
        #expect(
            sends(try coordinator.operationRequested(operation, now: .zero).get()) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "api")
            ])
        _ = coordinator.stopAcknowledged("api", outcome: clean, now: .zero)
        let stopped = coordinator.stopAcknowledged("cache", outcome: clean, now: .zero)
        #expect(sends(stopped) == [.send(.start(readiness: nil, restart: nil), to: "cache")])
        #expect(
            sends(coordinator.serviceReady("cache", now: .zero)) == [
                .send(.start(readiness: nil, restart: nil), to: "api")
            ])
        guard case .operationFinished(let report) = try #require(coordinator.serviceReady("api", now: .zero).last)
        else {
            Issue.record("expected the operation's report")
            return
        }
        #expect(report.stop?.entries.map(\.service) == ["api", "cache"])
        #expect(report.startFailure == nil)
    }

    @Test("A stop the agent asked for lets that agent exit, and only that one")
    func agentRequestedStop() throws {
        var coordinator = try runningFleet()
        let begun = try coordinator.operationRequested(
            Operation(kind: .stop, service: "cache", requestedByAgent: true), now: .zero
        ).get()
        #expect(sends(begun) == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "api")])
        #expect(
            sends(coordinator.stopAcknowledged("api", outcome: clean, now: .zero)) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "cache")
            ])
    }

    @Test("Operations are refused for unknown services, during startup, and while another runs")
    func refusals() throws {
        var starting = Coordinator(configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero)
        #expect(
            starting.operationRequested(Operation(kind: .stop, service: "api"), now: .zero)
                == .failure(.busy("starting (waiting for agents: cache, database)")))
        var coordinator = try runningFleet()
        #expect(
            coordinator.operationRequested(Operation(kind: .stop, service: "apii"), now: .zero)
                == .failure(.unknownService("apii", suggestion: "api")))
        _ = try coordinator.operationRequested(Operation(kind: .stop, service: "api"), now: .zero).get()
        #expect(
            coordinator.operationRequested(Operation(kind: .start, service: "api"), now: .zero)
                == .failure(.busy("running (stop api)")))
    }

    @Test(
        "Every container stopped at once: each agent's stop waits for the one under way, and none stops under a running dependent"
    )
    func agentRequestsWhileAnotherRuns() throws {
        var coordinator = try runningFleet()
        let databaseStop = Operation(kind: .stop, service: "database", requestedByAgent: true)
        let cacheStop = Operation(kind: .stop, service: "cache", requestedByAgent: true)
        let apiStop = Operation(kind: .stop, service: "api", requestedByAgent: true)
        let begun = try coordinator.operationRequested(databaseStop, now: .zero).get()
        #expect(sends(begun) == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "api")])
        #expect(coordinator.operationRequested(cacheStop, now: .zero) == .success([]), "cache waits: api still runs")
        #expect(coordinator.operationRequested(apiStop, now: .zero) == .success([]))

        #expect(
            sends(coordinator.stopAcknowledged("api", outcome: clean, now: .after(.seconds(1))))
                == [.send(.stop(timeout: .seconds(20), drain: .zero, exit: true), to: "database")])
        let next = coordinator.stopAcknowledged("database", outcome: clean, now: .after(.seconds(2)))
        #expect(next.contains(.progress(.operationBegan(cacheStop))))
        #expect(
            sends(next) == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "cache")],
            "api stopped already: only cache")
        let last = coordinator.stopAcknowledged("cache", outcome: clean, now: .after(.seconds(3)))
        #expect(sends(last).isEmpty, "api's own request is void: it stopped with database")
        #expect(coordinator.phaseName == "running")
        #expect(coordinator.status(now: .after(.seconds(3))).map(\.state) == [.stopped, .stopped, .stopped])

        // One agent has exited before the coordinator's own shutdown; the others, not known to have
        // left yet, are told to exit. There is nothing left to stop, and that is clean.
        _ = coordinator.agentLost("database", now: .after(.seconds(4)))
        let shutdown = coordinator.shutdownRequested(now: .after(.seconds(5)))
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
        var coordinator = Coordinator(configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero)
        for name in ["database", "cache", "api"] {
            _ = try coordinator.agentRegistered(name, host: "h", now: .zero).get()
        }
        let cacheStop = Operation(kind: .stop, service: "cache", requestedByAgent: true)
        #expect(coordinator.operationRequested(cacheStop, now: .zero) == .success([]))
        _ = coordinator.serviceReady("cache", now: .zero)
        _ = coordinator.serviceReady("database", now: .zero)
        let complete = coordinator.serviceReady("api", now: .zero)
        #expect(complete.contains(.progress(.operationBegan(cacheStop))))
        #expect(sends(complete) == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "api")])
    }

    @Test("An agent asking to stop during the fleet's shutdown is told nothing: its order comes in its wave")
    func agentRequestDuringShutdown() throws {
        var coordinator = try runningFleet()
        _ = coordinator.shutdownRequested(now: .zero)
        #expect(
            coordinator.operationRequested(
                Operation(kind: .stop, service: "database", requestedByAgent: true), now: .zero) == .success([]))
        #expect(
            coordinator.operationRequested(Operation(kind: .stop, service: "database"), now: .zero)
                == .failure(.busy("shutting down")))
    }

    @Test("A shutdown during an operation interrupts it and stops the whole fleet")
    func shutdownInterrupts() throws {
        var coordinator = try runningFleet()
        let operation = Operation(kind: .stop, service: "database")
        _ = try coordinator.operationRequested(operation, now: .zero).get()
        let actions = coordinator.shutdownRequested(now: .after(.seconds(1)))
        #expect(actions.contains(.operationFinished(OperationReport(operation: operation, interrupted: true))))
        #expect(actions.contains(.progress(.shutdownBegan)))
        #expect(actions.contains(.cancelTimer(.shutdown(.stopDeadline("api")))))
        #expect(coordinator.isShuttingDown)
        #expect(sends(actions) == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "api")])
    }
}
