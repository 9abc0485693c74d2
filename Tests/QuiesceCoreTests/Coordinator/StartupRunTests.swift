import Testing

@testable import QuiesceCore

/// One run of the startup machine, translated for the coordinator.
@Suite("Coordinator state machine: startup run")
struct StartupRunTests {
    typealias Run = CoordinatorStateMachine.StartupRun
    typealias Table = CoordinatorStateMachine.ServiceTable

    let graph: ServiceGraph

    init() throws {
        graph = try Fixtures.seedGraph()
    }

    /// A fleet run whose first wave (cache, database) was ordered to start at t+0.
    @discardableResult
    func firstWaveStarted(table: inout Table) -> Run {
        var run = Run(of: graph, for: .fleet, now: .zero)
        #expect(run.services == ["database", "cache", "api"])
        #expect(run.missingAgents == ["cache", "database"])
        table.connect("cache", host: "h", now: .zero)
        let cache = run.instanceConnected("cache", snapshot: .idle, services: &table, now: .zero)
        #expect(cache.actions == [])
        #expect(cache.end == nil)
        table.connect("database", host: "h", now: .zero)
        let database = run.instanceConnected("database", snapshot: .idle, services: &table, now: .zero)
        #expect(database.actions == CoordinatorFixtures.firstWaveStarted(now: .zero))
        #expect(database.end == nil)
        #expect(run.missingAgents == [])
        return run
    }

    @Test("A start becomes the service's start order, repeated until answered, and the service is starting")
    func startOrders() {
        var table = Table(graph: graph, now: .zero)
        table.connect("cache", host: "h", now: .zero)
        table.recordExit(.exited(1), of: "cache", now: .zero)
        firstWaveStarted(table: &table)
        #expect(table.state(of: "cache") == .starting)
        #expect(table.exitStatus(of: "cache") == nil, "the last exit is forgotten")
        #expect(table.state(of: "database") == .starting)
        #expect(table.state(of: "api") == .waiting)
    }

    @Test("A start timeout after a failed readiness check names the check, and the service timed out")
    func timeoutNamesTheCheck() {
        var table = Table(graph: graph, now: .zero)
        var run = firstWaveStarted(table: &table)
        table.recordCheck(of: "cache", error: "connection refused")
        let step = run.startDeadlinePassed("cache", services: &table, now: .after(.seconds(30)))
        #expect(
            step.actions == [
                .cancelTimer(.startup(.startDeadline("cache"))), .cancelTimer(.startup(.startDeadline("database"))),
            ])
        let reason = StartFailureReason.notReady(within: .seconds(30), lastCheck: "connection refused")
        #expect(step.end == .failed(StartupFailure(service: "cache", reason: reason, notStarted: ["api"])))
        #expect(table.state(of: "cache") == .timedOut)
        #expect(table.detail(of: "cache") == reason.description)
    }

    @Test("A start timeout without a failed check stays a timeout; an ended process leaves the state as it is")
    func otherFailures() {
        var table = Table(graph: graph, now: .zero)
        var run = firstWaveStarted(table: &table)
        let timeout = run.startDeadlinePassed("database", services: &table, now: .after(.seconds(30)))
        #expect(
            timeout.end
                == .failed(StartupFailure(service: "database", reason: .timedOut(.seconds(30)), notStarted: ["api"])))
        #expect(table.state(of: "database") == .timedOut)
        #expect(table.detail(of: "database") == "not ready within its start timeout (30s)")

        var exitedTable = Table(graph: graph, now: .zero)
        var exited = firstWaveStarted(table: &exitedTable)
        exitedTable.recordExit(.exited(2), of: "cache", now: .after(.seconds(1)))
        let step = exited.instanceFailed(
            "cache", reason: .exited(.exited(2)), services: &exitedTable, now: .after(.seconds(1)))
        #expect(
            step.end == .failed(StartupFailure(service: "cache", reason: .exited(.exited(2)), notStarted: ["api"])))
        #expect(exitedTable.state(of: "cache") == .failed, "as the exit left it")
    }

    @Test("The last wave ready ends the run complete, with the time since the run began")
    func complete() throws {
        let solo = try ServiceGraph(validating: [ServiceSpec(name: "solo")])
        var table = Table(graph: solo, now: .zero)
        var run = Run(of: solo, for: .operation(Operation(kind: .start, service: "solo"), stopReport: nil), now: .zero)
        table.connect(.only("solo"), host: "h", now: .zero)
        let started = run.instanceConnected(.only("solo"), snapshot: .idle, services: &table, now: .zero)
        #expect(
            started.actions
                == [.progress(.startup(.waveStarted(number: 1, of: 1, services: ["solo"])))]
                + CoordinatorFixtures.startOrdered("solo", now: .zero) + [
                    .scheduleTimer(.startup(.startDeadline("solo")), at: .after(.seconds(30)))
                ])
        let ready = run.feed(
            { $0.serviceReady("solo", now: .after(.seconds(2))) }, services: &table, now: .after(.seconds(2)))
        #expect(
            ready.actions == [
                .cancelTimer(.startup(.startDeadline("solo"))),
                .progress(.startup(.serviceReady("solo", after: .seconds(2)))),
            ])
        #expect(ready.end == .complete(after: .seconds(2), waitingForAgents: .zero))
    }
}
