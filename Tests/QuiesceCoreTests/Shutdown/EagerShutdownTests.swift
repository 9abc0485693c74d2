import QuiesceCore
import Testing

/// The shutdown machine with `scheduling: eager`: each service is ordered the moment its last
/// dependent is done, whatever the rest of its wave does.
@Suite("Eager shutdown")
struct EagerShutdownTests {
    typealias Machine = ShutdownStateMachine

    let clean = StopOutcome.stopped(.exited(0))

    /// Two chains: `a1` depends on `a2`, `b1` on `b2`. Waves: {a1, b1}, then {a2, b2}.
    static func unevenGraph() throws -> ServiceGraph {
        try ServiceGraph(validating: [
            ServiceSpec(name: "a2"),
            ServiceSpec(name: "a1", dependencies: ["a2"]),
            ServiceSpec(name: "b2", stopTimeout: .seconds(20)),
            ServiceSpec(name: "b1", dependencies: ["b2"]),
        ])
    }

    func machine(_ graph: ServiceGraph, shutdownTimeout: Duration = .seconds(60)) -> Machine {
        Machine(
            graph: graph, plan: Plan(graph: graph), shutdownTimeout: shutdownTimeout, ackGrace: .seconds(2),
            scheduling: .eager)
    }

    func allConnected(_ graph: ServiceGraph) -> [String: Machine.Condition] {
        Dictionary(uniqueKeysWithValues: graph.names.map { ($0, .connected) })
    }

    /// The uneven graph's shutdown begun at t+0: a1 and b1, which nothing depends on, ordered.
    func started(_ shutdown: inout Machine, _ graph: ServiceGraph) {
        #expect(
            shutdown.start(conditions: allConnected(graph), now: .zero) == [
                .scheduleTimer(.shutdownDeadline, at: .after(.seconds(60))),
                .progress(.servicesStopping(["a1", "b1"])),
                .sendStop(service: "a1", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("a1"), at: .after(.seconds(12))),
                .sendStop(service: "b1", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("b1"), at: .after(.seconds(12))),
            ])
    }

    func report(_ actions: [Machine.Action]) throws -> ShutdownReport {
        guard case .finish(let report) = try #require(actions.last) else {
            Issue.record("expected .finish last, got \(actions)")
            throw CancellationError()
        }
        return report
    }

    @Test("A dependency is ordered the moment its last dependent acknowledges, not when the wave ends")
    func dependencyGoesWithItsDependent() throws {
        let graph = try Self.unevenGraph()
        var clock = ManualClock()
        var shutdown = machine(graph)
        started(&shutdown, graph)

        clock.advance(by: .milliseconds(100))
        #expect(
            shutdown.stopAcknowledged("b1", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("b1")),
                .progress(.serviceFinished("b1", .acknowledged(clean), after: .milliseconds(100))),
                .progress(.servicesStopping(["b2"])),
                .sendStop(service: "b2", timeout: .seconds(20)),
                .scheduleTimer(.stopDeadline("b2"), at: .after(.milliseconds(22_100))),
            ])
        clock.advance(by: .milliseconds(4900))
        #expect(
            shutdown.stopAcknowledged("a1", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("a1")),
                .progress(.serviceFinished("a1", .acknowledged(clean), after: .seconds(5))),
                .progress(.servicesStopping(["a2"])),
                .sendStop(service: "a2", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("a2"), at: .after(.seconds(17))),
            ])
        clock.advance(by: .milliseconds(100))
        #expect(
            shutdown.stopAcknowledged("a2", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("a2")),
                .progress(.serviceFinished("a2", .acknowledged(clean), after: .milliseconds(100))),
            ])
        #expect(!shutdown.isFinished)
        clock.advance(by: .milliseconds(2900))
        let last = shutdown.stopAcknowledged("b2", outcome: clean, now: clock.now)
        #expect(shutdown.isFinished)
        let report = try report(last)
        #expect(report.scheduling == .eager)
        #expect(report.total == .seconds(8))
        #expect(report.criticalPath == ["b1", "b2"])
        #expect(report.entries.map(\.service) == ["a1", "b1", "a2", "b2"])
        #expect(report.entries.map(\.wave) == [1, 1, 2, 2])
        #expect(report.isClean)
    }

    @Test("A dependency waits for every dependent, the slowest too")
    func sharedDependencyWaitsForAll() throws {
        let graph = try ServiceGraph(validating: [
            ServiceSpec(name: "db"),
            ServiceSpec(name: "fast", dependencies: ["db"]),
            ServiceSpec(name: "slow", dependencies: ["db"], stopTimeout: .seconds(30)),
        ])
        var clock = ManualClock()
        var shutdown = machine(graph)
        _ = shutdown.start(conditions: allConnected(graph), now: clock.now)

        clock.advance(by: .seconds(1))
        #expect(
            shutdown.stopAcknowledged("fast", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("fast")),
                .progress(.serviceFinished("fast", .acknowledged(clean), after: .seconds(1))),
            ])
        clock.advance(by: .seconds(9))
        #expect(
            shutdown.stopAcknowledged("slow", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("slow")),
                .progress(.serviceFinished("slow", .acknowledged(clean), after: .seconds(10))),
                .progress(.servicesStopping(["db"])),
                .sendStop(service: "db", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("db"), at: .after(.seconds(22))),
            ])
    }

    @Test("A dependent that times out releases its dependency, and the report says it timed out")
    func timedOutDependentReleases() throws {
        let graph = try Self.unevenGraph()
        var clock = ManualClock()
        var shutdown = machine(graph)
        started(&shutdown, graph)

        clock.advance(by: .milliseconds(100))
        _ = shutdown.stopAcknowledged("b1", outcome: clean, now: clock.now)
        clock.advance(by: .milliseconds(11_900))
        #expect(
            shutdown.timerFired(.stopDeadline("a1"), now: clock.now) == [
                .sendKill(service: "a1"),
                .progress(.serviceFinished("a1", .timedOut, after: .seconds(12))),
                .progress(.servicesStopping(["a2"])),
                .sendStop(service: "a2", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("a2"), at: .after(.seconds(24))),
            ])
        clock.advance(by: .seconds(1))
        _ = shutdown.stopAcknowledged("a2", outcome: clean, now: clock.now)
        let report = try report(shutdown.stopAcknowledged("b2", outcome: clean, now: clock.now))
        #expect(report.entries.first { $0.service == "a1" }?.outcome == .timedOut)
        #expect(!report.isClean)
        #expect(report.exitCode == CoordinatorExitCode.uncleanStop)
    }

    @Test("A dependent whose agent is lost releases its dependency, and the report says it was lost")
    func lostDependentReleases() throws {
        let graph = try Self.unevenGraph()
        var clock = ManualClock()
        var shutdown = machine(graph)
        started(&shutdown, graph)

        clock.advance(by: .seconds(3))
        #expect(
            shutdown.agentLost("a1", now: clock.now) == [
                .cancelTimer(.stopDeadline("a1")),
                .progress(.serviceFinished("a1", .lost, after: .seconds(3))),
                .progress(.servicesStopping(["a2"])),
                .sendStop(service: "a2", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("a2"), at: .after(.seconds(15))),
            ])
        // b2 still waits for b1, whatever a's chain does.
        #expect(
            shutdown.stopAcknowledged("a2", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("a2")),
                .progress(.serviceFinished("a2", .acknowledged(clean), after: .zero)),
            ])
        _ = shutdown.stopAcknowledged("b1", outcome: clean, now: clock.now)
        let report = try report(shutdown.stopAcknowledged("b2", outcome: clean, now: clock.now))
        #expect(report.entries.first { $0.service == "a1" }?.outcome == .lost)
    }

    @Test("A service without an agent is concluded at its turn and releases what waits for it")
    func notConnectedReleasesAtOnce() throws {
        let graph = try Self.unevenGraph()
        var shutdown = machine(graph)
        var conditions = allConnected(graph)
        conditions["b1"] = .notConnected
        #expect(
            shutdown.start(conditions: conditions, now: .zero) == [
                .scheduleTimer(.shutdownDeadline, at: .after(.seconds(60))),
                .progress(.servicesStopping(["a1", "b1"])),
                .sendStop(service: "a1", timeout: .seconds(10)),
                .scheduleTimer(.stopDeadline("a1"), at: .after(.seconds(12))),
                .progress(.serviceFinished("b1", .notConnected, after: nil)),
                .progress(.servicesStopping(["b2"])),
                .sendStop(service: "b2", timeout: .seconds(20)),
                .scheduleTimer(.stopDeadline("b2"), at: .after(.seconds(22))),
            ])
    }

    @Test("At the deadline every remaining service is killed, those not yet ordered too")
    func deadlineKillsTheRest() throws {
        let graph = try Self.unevenGraph()
        var clock = ManualClock()
        var shutdown = machine(graph, shutdownTimeout: .seconds(5))
        _ = shutdown.start(conditions: allConnected(graph), now: clock.now)
        clock.advance(by: .milliseconds(100))
        _ = shutdown.stopAcknowledged("b1", outcome: clean, now: clock.now)
        clock.advance(by: .milliseconds(4900))
        #expect(
            shutdown.timerFired(.shutdownDeadline, now: clock.now) == [
                .cancelTimer(.shutdownDeadline),
                .progress(.killingRemaining(["a1", "a2", "b2"], reason: .deadline)),
                .cancelTimer(.stopDeadline("a1")),
                .sendKill(service: "a1"),
                .sendKill(service: "a2"),
                .cancelTimer(.stopDeadline("b2")),
                .sendKill(service: "b2"),
                .scheduleTimer(.killGrace, at: .after(.seconds(7))),
            ])
        _ = shutdown.stopAcknowledged("a1", outcome: .killed, now: clock.now)
        _ = shutdown.stopAcknowledged("a2", outcome: .killed, now: clock.now)
        let report = try report(shutdown.stopAcknowledged("b2", outcome: .killed, now: clock.now))
        #expect(report.termination == .deadline)
        #expect(report.stillRunningWhenKilled == ["a1", "a2", "b2"])
        #expect(report.scheduling == .eager)
    }

    @Test("A second signal kills what remains, ordered or not, and the report says it was escalated")
    func escalation() throws {
        let graph = try Self.unevenGraph()
        var clock = ManualClock()
        var shutdown = machine(graph)
        started(&shutdown, graph)
        clock.advance(by: .seconds(1))
        _ = shutdown.stopAcknowledged("b1", outcome: clean, now: clock.now)
        #expect(
            shutdown.escalate(now: clock.now) == [
                .cancelTimer(.shutdownDeadline),
                .progress(.killingRemaining(["a1", "a2", "b2"], reason: .escalation)),
                .cancelTimer(.stopDeadline("a1")),
                .sendKill(service: "a1"),
                .sendKill(service: "a2"),
                .cancelTimer(.stopDeadline("b2")),
                .sendKill(service: "b2"),
                .scheduleTimer(.killGrace, at: .after(.seconds(3))),
            ])
        clock.advance(by: .seconds(2))
        let report = try report(shutdown.timerFired(.killGrace, now: clock.now))
        #expect(report.termination == .escalated)
        #expect(report.exitCode == CoordinatorExitCode.killedRemaining)
    }

    @Test("Waves, the same graph: the second wave waits for the slowest of the first")
    func wavesWaitForTheWave() throws {
        let graph = try Self.unevenGraph()
        var clock = ManualClock()
        var shutdown = Machine(
            graph: graph, plan: Plan(graph: graph), shutdownTimeout: .seconds(60), ackGrace: .seconds(2))
        _ = shutdown.start(conditions: allConnected(graph), now: clock.now)
        clock.advance(by: .milliseconds(100))
        #expect(
            shutdown.stopAcknowledged("b1", outcome: clean, now: clock.now) == [
                .cancelTimer(.stopDeadline("b1")),
                .progress(.serviceFinished("b1", .acknowledged(clean), after: .milliseconds(100))),
            ])
        clock.advance(by: .milliseconds(4900))
        #expect(
            shutdown.stopAcknowledged("a1", outcome: clean, now: clock.now).contains(
                .sendStop(service: "b2", timeout: .seconds(20))))
        #expect(shutdown.scheduling == .waves)
    }
}
