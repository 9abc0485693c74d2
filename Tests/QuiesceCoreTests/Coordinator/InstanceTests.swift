import Testing

@testable import QuiesceCore

/// db (3 instances, min_ready 2) and api (2 instances) on db, driven event by event.
@Suite("Coordinator state machine: services of several instances")
struct InstanceTests {
    typealias Coordinator = CoordinatorStateMachine

    static let dbInstances: [InstanceID] = ["db/a", "db/b", "db/c"]
    static let apiInstances: [InstanceID] = ["api/x", "api/y"]

    static func configuration() throws -> Configuration {
        var db = ServiceSpec(name: "db", stopTimeout: .seconds(10), startTimeout: .seconds(30))
        db.instances = 3
        db.minReady = 2
        var api = ServiceSpec(name: "api", dependencies: ["db"], stopTimeout: .seconds(10), startTimeout: .seconds(30))
        api.instances = 2
        return Configuration(graph: try ServiceGraph(validating: [db, api]))
    }

    /// The orders among `actions`, with whom they go to.
    func orders(_ actions: [Coordinator.Action]) -> [InstanceID] {
        actions.compactMap { if case .send(_, let id) = $0 { id } else { nil } }
    }

    func register(_ ids: [InstanceID], on coordinator: inout Coordinator, now: Timestamp) throws -> [Coordinator.Action]
    {
        try ids.flatMap { try coordinator.agentRegistered($0, host: $0.instance, now: now).get() }
    }

    /// The fleet started: every instance registered and ready.
    func runningFleet() throws -> Coordinator {
        var coordinator = Coordinator(configuration: try Self.configuration(), now: .zero)
        let registered = try register(Self.dbInstances + Self.apiInstances, on: &coordinator, now: .zero)
        #expect(orders(registered) == Self.dbInstances, "db's start order goes to every connected instance")
        for id in Self.dbInstances { _ = coordinator.serviceReady(id, now: .after(.seconds(1))) }
        for id in Self.apiInstances { _ = coordinator.serviceReady(id, now: .after(.seconds(2))) }
        #expect(coordinator.phaseName == "running")
        return coordinator
    }

    @Test("db is ready for api only once all three instances are; api's two instances start together")
    func startWaitsForEveryInstance() throws {
        var coordinator = Coordinator(configuration: try Self.configuration(), now: .zero)
        let first = try register(["db/a", "db/b"], on: &coordinator, now: .zero)
        #expect(orders(first) == ["db/a", "db/b"], "the first agent of db starts the wave; the next joins it at once")
        _ = try register(["db/c"] + Self.apiInstances, on: &coordinator, now: .zero)
        #expect(coordinator.serviceReady("db/a", now: .after(.seconds(1))).filter(isProgress).isEmpty)
        #expect(orders(coordinator.serviceReady("db/b", now: .after(.seconds(1)))) == [])
        let last = coordinator.serviceReady("db/c", now: .after(.seconds(2)))
        #expect(last.contains(.progress(.startup(.serviceReady("db", after: .seconds(2))))))
        #expect(orders(last) == Self.apiInstances)
    }

    @Test("At db's start timeout, two ready instances (min_ready) let api start, with a warning naming the third")
    func startWithFewerThanExpected() throws {
        var coordinator = Coordinator(configuration: try Self.configuration(), now: .zero)
        _ = try register(Self.dbInstances + Self.apiInstances, on: &coordinator, now: .zero)
        _ = coordinator.serviceReady("db/a", now: .after(.seconds(1)))
        _ = coordinator.serviceReady("db/b", now: .after(.seconds(1)))
        let timeout = coordinator.timerFired(.startup(.startDeadline("db")), now: .after(.seconds(30)))
        #expect(
            timeout.first
                == .progress(.startedWithFewer("db", ready: 2, expected: 3, missing: ["c"], unregistered: 0)))
        #expect(orders(timeout) == Self.apiInstances)
    }

    @Test("With fewer than min_ready ready at the start timeout, the start fails")
    func tooFewReady() throws {
        var coordinator = Coordinator(configuration: try Self.configuration(), now: .zero)
        _ = try register(Self.dbInstances, on: &coordinator, now: .zero)
        _ = coordinator.serviceReady("db/a", now: .after(.seconds(1)))
        let timeout = coordinator.timerFired(.startup(.startDeadline("db")), now: .after(.seconds(30)))
        #expect(
            timeout.contains {
                if case .progress(.startupFailed(let failure)) = $0 { failure.service == "db" } else { false }
            })
    }

    @Test("One instance failing while enough others may still be ready does not fail the start")
    func oneInstanceFails() throws {
        var coordinator = Coordinator(configuration: try Self.configuration(), now: .zero)
        _ = try register(Self.dbInstances, on: &coordinator, now: .zero)
        let exited = coordinator.serviceExited("db/c", status: .exited(1), now: .after(.seconds(1)))
        #expect(!exited.contains { if case .progress(.startupFailed) = $0 { true } else { false } })
        let second = coordinator.serviceExited("db/b", status: .exited(1), now: .after(.seconds(1)))
        #expect(
            second.contains { if case .progress(.startupFailed) = $0 { true } else { false } }, "1 left, min_ready 2")
    }

    @Test("An instance that registers while the fleet runs is started: its dependencies are up (scale up)")
    func scaleUp() throws {
        var coordinator = try runningFleet()
        let added = try register(["api/z"], on: &coordinator, now: .after(.seconds(5)))
        #expect(orders(added) == ["api/z"])
        #expect(coordinator.status(now: .after(.seconds(5)))[1].summary == "2/3 ready")
    }

    @Test("The shutdown orders both api instances together, and no db instance before both have stopped")
    func shutdownPerInstance() throws {
        var coordinator = try runningFleet()
        let began = coordinator.shutdownRequested(now: .after(.seconds(10)))
        #expect(orders(began) == Self.apiInstances)
        let firstStopped = coordinator.stopAcknowledged(
            "api/x", outcome: .stopped(.exited(0)), now: .after(.seconds(11)))
        #expect(orders(firstStopped) == [], "api/y still runs")
        #expect(
            firstStopped.contains(
                .progress(.instanceFinished("api/x", .acknowledged(.stopped(.exited(0))), after: .seconds(1)))))
        let secondStopped = coordinator.stopAcknowledged(
            "api/y", outcome: .stopped(.exited(0)), now: .after(.seconds(12)))
        #expect(orders(secondStopped) == Self.dbInstances)
        for id in Self.dbInstances.dropLast() {
            _ = coordinator.stopAcknowledged(id, outcome: .stopped(.exited(0)), now: .after(.seconds(13)))
        }
        let last = coordinator.stopAcknowledged("db/c", outcome: .stopped(.exited(0)), now: .after(.seconds(13)))
        guard case .finish(let report) = try #require(last.last) else {
            Issue.record("expected the report, got \(last)")
            return
        }
        #expect(report.exitCode == 0)
        #expect(report.entries.map { $0.instances.map(\.instance) } == [["x", "y"], ["a", "b", "c"]])
        #expect(last.contains(.journal(.instanceOutcome("db/c", RecordedOutcome(.acknowledged(.stopped(.exited(0))))))))
    }

    @Test("An instance lost mid-wave is reported lost and the wave goes on without it")
    func lostMidWave() throws {
        var coordinator = try runningFleet()
        _ = coordinator.shutdownRequested(now: .after(.seconds(10)))
        _ = coordinator.stopAcknowledged("api/x", outcome: .stopped(.exited(0)), now: .after(.seconds(11)))
        let lost = coordinator.agentLost("api/y", now: .after(.seconds(12)))
        #expect(lost.contains(.progress(.agentLost("api/y"))))
        #expect(lost.contains(.progress(.instanceFinished("api/y", .lost, after: .seconds(2)))))
        #expect(lost.contains(.progress(.shutdown(.serviceFinished("api", .lost, after: .seconds(2))))))
        #expect(orders(lost) == Self.dbInstances, "the wave goes on")
    }

    @Test("One db instance leaving, with two others ready, stops alone; api keeps running")
    func oneInstanceLeaves() throws {
        var coordinator = try runningFleet()
        let leave = Operation(kind: .stop, service: "db", requestedByAgent: true, instance: "c")
        let begun = try coordinator.operationRequested(leave, now: .after(.seconds(10))).get()
        #expect(orders(begun) == ["db/c"])
        #expect(begun.contains(.send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "db/c")))
        let done = coordinator.stopAcknowledged("db/c", outcome: .stopped(.exited(0)), now: .after(.seconds(11)))
        #expect(done.contains { if case .operationFinished = $0 { true } else { false } })
        let status = coordinator.status(now: .after(.seconds(11)))
        #expect(status[0].summary == "2/3 ready")
        #expect(status[1].state == .ready, "api untouched")

        // The second leaves below min_ready: api's instances are stopped first, then that instance.
        let second = Operation(kind: .stop, service: "db", requestedByAgent: true, instance: "b")
        let below = try coordinator.operationRequested(second, now: .after(.seconds(12))).get()
        #expect(orders(below) == Self.apiInstances)
        #expect(below.allSatisfy { if case .send(.stop(_, _, let exit), _) = $0 { !exit } else { true } })
        _ = coordinator.stopAcknowledged("api/x", outcome: .stopped(.exited(0)), now: .after(.seconds(13)))
        let apiDone = coordinator.stopAcknowledged("api/y", outcome: .stopped(.exited(0)), now: .after(.seconds(13)))
        #expect(orders(apiDone) == ["db/b"], "only the instance that asked, and db/a keeps running")
    }

    private func isProgress(_ action: Coordinator.Action) -> Bool {
        if case .progress(.startup(.serviceReady)) = action { true } else { false }
    }
}
