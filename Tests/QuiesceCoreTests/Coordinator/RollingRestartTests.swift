import Testing

@testable import QuiesceCore

/// `restart db --rolling`, driven event by event with a manual clock: db has several instances
/// (stop timeout 10 s, start timeout 30 s, the default 2 s acknowledgement grace), api (one instance)
/// depends on db.
@Suite("Coordinator state machine: rolling restarts")
struct RollingRestartTests {
    typealias Coordinator = CoordinatorStateMachine

    static func configuration(instances: Int, minReady: Int) throws -> Configuration {
        var db = ServiceSpec(name: "db", stopTimeout: .seconds(10), startTimeout: .seconds(30))
        db.instances = instances
        db.minReady = minReady
        let api = ServiceSpec(name: "api", dependencies: ["db"], stopTimeout: .seconds(10), startTimeout: .seconds(30))
        return Configuration(graph: try ServiceGraph(validating: [db, api]))
    }

    static func db(_ count: Int) -> [InstanceID] {
        ["a", "b", "c", "d", "e"].prefix(count).map { InstanceID(service: "db", instance: $0) }
    }

    /// The fleet running at `clock.now`: every instance registered and ready.
    static func runningFleet(instances: Int, minReady: Int, clock: inout ManualClock) throws -> Coordinator {
        var coordinator = Coordinator(
            configuration: try configuration(instances: instances, minReady: minReady), now: clock.now)
        for id in db(instances) + ["api/x"] {
            _ = try coordinator.agentRegistered(id, host: id.instance, now: clock.now).get()
        }
        clock.advance(by: .seconds(1))
        for id in db(instances) { _ = coordinator.serviceReady(id, now: clock.now) }
        _ = coordinator.serviceReady("api/x", now: clock.now)
        #expect(coordinator.phaseName == "running")
        clock.advance(by: .seconds(9))
        return coordinator
    }

    /// The actions that take `id` down at `now`, `ready` instances staying ready.
    static func takenDown(_ id: InstanceID, ready: Int, now: Timestamp) -> [Coordinator.Action] {
        [
            .progress(.rolling(.stopping(id, ready: ready))),
            .send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: id),
            .scheduleTimer(.retransmit(id), at: now + .seconds(1)),
            .scheduleTimer(.rollingStop(id), at: now + .seconds(12)),
        ]
    }

    /// The actions that answer `id`'s stop at `now`: it is ordered to start again, 30 s to be ready.
    static func startedAgain(_ id: InstanceID, now: Timestamp) -> [Coordinator.Action] {
        [
            .cancelTimer(.retransmit(id)),
            .cancelTimer(.rollingStop(id)),
            .progress(.rolling(.starting(id, stopped: .stopped(.exited(0))))),
            .send(.start(readiness: nil, restart: nil), to: id),
            .scheduleTimer(.retransmit(id), at: now + .seconds(1)),
            .scheduleTimer(.rollingStart(id), at: now + .seconds(30)),
        ]
    }

    /// The actions that answer `id` ready again `after` its stop order.
    static func back(_ id: InstanceID, after: Duration) -> [Coordinator.Action] {
        [
            .cancelTimer(.retransmit(id)), .cancelTimer(.rollingStart(id)),
            .progress(.rolling(.readyAgain(id, after: after))),
        ]
    }

    static func orders(_ actions: [Coordinator.Action]) -> [InstanceID] {
        actions.compactMap { if case .send(_, let id) = $0 { id } else { nil } }
    }

    static func report(in actions: [Coordinator.Action]) -> OperationReport? {
        actions.lazy.compactMap { if case .operationFinished(let report) = $0 { report } else { nil } }.first
    }

    @Test("db's instances are restarted one at a time, each ready again before the next goes; api is never ordered")
    func oneAtATime() throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: 3, minReady: 2, clock: &clock)
        let operation = Operation(kind: .rollingRestart, service: "db")
        var all: [Coordinator.Action] = []

        let begun = try coordinator.operationRequested(operation, now: clock.now).get()
        #expect(begun == [.progress(.operationBegan(operation))] + Self.takenDown("db/a", ready: 2, now: clock.now))
        #expect(coordinator.phaseName == "running (restart db --rolling)")
        all += begun
        let turns: [(InstanceID, next: InstanceID?)] = [("db/a", "db/b"), ("db/b", "db/c"), ("db/c", nil)]
        for (id, next) in turns {
            clock.advance(by: .seconds(1))
            let stopped = coordinator.stopAcknowledged(id, outcome: .stopped(.exited(0)), now: clock.now)
            #expect(stopped == Self.startedAgain(id, now: clock.now), "\(id) is started again, nothing else goes")
            clock.advance(by: .seconds(2))
            let ready = coordinator.serviceReady(id, now: clock.now)
            if let next {
                #expect(ready == Self.back(id, after: .seconds(3)) + Self.takenDown(next, ready: 2, now: clock.now))
            } else {
                #expect(Array(ready.prefix(3)) == Self.back(id, after: .seconds(3)))
                let report = try #require(Self.report(in: ready))
                #expect(report.exitCode == 0)
                let rolling = try #require(report.rolling)
                #expect(rolling.failure == nil)
                #expect(rolling.fewestReady == 2)
                #expect(rolling.instances.map(\.outcome) == [.restarted, .restarted, .restarted])
                #expect(
                    rolling.instances[1]
                        == RollingRestartReport.Entry(
                            instance: "b", outcome: .restarted, stopOrderedAfter: .seconds(3),
                            stoppedAfter: .seconds(4),
                            stopOutcome: .stopped(.exited(0)), readyAfter: .seconds(6)))
                #expect(rolling.total == .seconds(9))
            }
            all += stopped + ready
        }
        #expect(!Self.orders(all).contains("api/x"), "api's instance was never ordered")
        #expect(coordinator.phaseName == "running")
        #expect(coordinator.status(now: clock.now).map(\.summary) == ["3/3 ready", "1/1 ready"])
    }

    @Test("With --max-unavailable 2, two of four go at once; the third waits for one to come back")
    func twoAtATime() throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: 4, minReady: 2, clock: &clock)
        let operation = Operation(kind: .rollingRestart, service: "db", maxUnavailable: 2)
        let begun = try coordinator.operationRequested(operation, now: clock.now).get()
        #expect(
            begun
                == [.progress(.operationBegan(operation))] + Self.takenDown("db/a", ready: 3, now: clock.now)
                + Self.takenDown("db/b", ready: 2, now: clock.now))
        #expect(coordinator.phaseName == "running (restart db --rolling --max-unavailable 2)")
        clock.advance(by: .seconds(1))
        #expect(
            Self.orders(coordinator.stopAcknowledged("db/a", outcome: .stopped(.exited(0)), now: clock.now)) == ["db/a"]
        )
        let aBack = coordinator.serviceReady("db/a", now: clock.now)
        #expect(aBack == Self.back("db/a", after: .seconds(1)) + Self.takenDown("db/c", ready: 2, now: clock.now))
        _ = coordinator.stopAcknowledged("db/b", outcome: .stopped(.exited(0)), now: clock.now)
        let bBack = coordinator.serviceReady("db/b", now: clock.now)
        #expect(bBack == Self.back("db/b", after: .seconds(1)) + Self.takenDown("db/d", ready: 2, now: clock.now))
        for id in ["db/c", "db/d"] as [InstanceID] {
            _ = coordinator.stopAcknowledged(id, outcome: .stopped(.exited(0)), now: clock.now)
        }
        _ = coordinator.serviceReady("db/c", now: clock.now)
        let last = coordinator.serviceReady("db/d", now: clock.now)
        let rolling = try #require(Self.report(in: last)?.rolling)
        #expect(rolling.instances.map(\.outcome) == Array(repeating: .restarted, count: 4))
        #expect(rolling.fewestReady == 2)
        #expect(rolling.maxUnavailable == 2)
    }

    @Test(
        "A rolling restart that would leave fewer than min_ready ready is refused, naming the fix, with nothing stopped",
        arguments: [(2, 2, 1), (1, 1, 0)])
    func refused(instances: Int, minReady: Int, wouldLeave: Int) throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: instances, minReady: minReady, clock: &clock)
        let refusal = coordinator.operationRequested(Operation(kind: .rollingRestart, service: "db"), now: clock.now)
        #expect(refusal == .failure(.belowMinReady("db", wouldLeave: wouldLeave, minReady: minReady)))
        #expect(coordinator.phaseName == "running")
        #expect(coordinator.status(now: clock.now)[0].summary == "\(instances)/\(instances) ready")
        let expected =
            wouldLeave == 1
            ? "rolling restart of db would leave 1 ready instance, below min_ready 2; scale db up, lower min_ready, or restart without --rolling"
            : "rolling restart of db would leave 0 ready instances, below min_ready 1; scale db up, lower min_ready, or restart without --rolling"
        #expect(
            OperationRefusal.belowMinReady("db", wouldLeave: wouldLeave, minReady: minReady).description == expected)
        // The whole service can still be restarted without --rolling.
        #expect(coordinator.operationRequested(Operation(kind: .restart, service: "db"), now: clock.now).isSuccess)
    }

    @Test("A service with no running instance has nothing to restart one at a time")
    func nothingRunning() throws {
        var coordinator = Coordinator(configuration: try Self.configuration(instances: 3, minReady: 2), now: .zero)
        _ = try coordinator.agentRegistered("api/x", host: "x", now: .zero).get()
        // Still starting: busy.
        #expect(
            coordinator.operationRequested(Operation(kind: .rollingRestart, service: "db"), now: .zero)
                == .failure(.busy("starting (waiting for agents: db)")))
    }

    @Test("An instance not ready again within its start timeout stops the rolling restart: nothing more goes, exit 2")
    func notReadyInTime() throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: 3, minReady: 2, clock: &clock)
        _ = try coordinator.operationRequested(Operation(kind: .rollingRestart, service: "db"), now: clock.now).get()
        _ = coordinator.stopAcknowledged("db/a", outcome: .stopped(.exited(0)), now: clock.now)
        _ = coordinator.serviceUnready("db/a", reason: "connection refused", now: clock.now)
        clock.advance(by: .seconds(30))
        let timedOut = coordinator.timerFired(.rollingStart("db/a"), now: clock.now)
        let reason = "not ready within 30s (last check: connection refused)"
        #expect(timedOut.first == .progress(.rolling(.failed("db/a", reason: reason))))
        #expect(Self.orders(timedOut) == [], "no further instance is taken down")
        let report = try #require(Self.report(in: timedOut))
        #expect(report.exitCode == CoordinatorExitCode.startupFailed)
        #expect(report.rolling?.failure == "db/a did not come back: \(reason)")
        #expect(report.rolling?.instances.map(\.outcome) == [.failed(reason), .notReached, .notReached])
        #expect(coordinator.phaseName == "running")
        #expect(coordinator.status(now: clock.now)[0].instances[0].detail == reason)
    }

    @Test("An instance that fails to start while another restarts too: the other is waited for, then the report")
    func failedToStartWhileAnotherRestarts() throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: 4, minReady: 2, clock: &clock)
        _ = try coordinator.operationRequested(
            Operation(kind: .rollingRestart, service: "db", maxUnavailable: 2), now: clock.now
        ).get()
        _ = coordinator.stopAcknowledged("db/a", outcome: .stopped(.exited(0)), now: clock.now)
        let failed = coordinator.serviceStartFailed("db/a", message: "exec: no such file", now: clock.now)
        #expect(failed.contains(.progress(.rolling(.failed("db/a", reason: "exec: no such file")))))
        #expect(Self.report(in: failed) == nil, "db/b still restarts")
        #expect(Self.orders(failed) == [])
        _ = coordinator.stopAcknowledged("db/b", outcome: .stopped(.exited(0)), now: clock.now)
        let bBack = coordinator.serviceReady("db/b", now: clock.now)
        #expect(Self.orders(bBack) == [], "nothing more is taken down after a failure")
        let rolling = try #require(Self.report(in: bBack)?.rolling)
        #expect(
            rolling.instances.map(\.outcome) == [.failed("exec: no such file"), .restarted, .notReached, .notReached])
    }

    @Test("An instance's agent lost while it restarts stops the rolling restart and is reported lost")
    func lostWhileRestarting() throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: 3, minReady: 2, clock: &clock)
        _ = try coordinator.operationRequested(Operation(kind: .rollingRestart, service: "db"), now: clock.now).get()
        let lost = coordinator.agentLost("db/a", now: clock.now)
        #expect(lost.contains(.progress(.agentLost("db/a"))))
        #expect(lost.contains(.cancelTimer(.rollingStop("db/a"))))
        let report = try #require(Self.report(in: lost))
        #expect(report.rolling?.instances.map(\.outcome) == [.lost, .notReached, .notReached])
        #expect(report.rolling?.failure == "db/a agent lost")
        #expect(report.exitCode == CoordinatorExitCode.startupFailed)
    }

    @Test("An instance lost while waiting for its turn leaves too few ready: the rolling restart stops there")
    func lostWhileWaiting() throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: 3, minReady: 2, clock: &clock)
        _ = try coordinator.operationRequested(Operation(kind: .rollingRestart, service: "db"), now: clock.now).get()
        #expect(Self.report(in: coordinator.agentLost("db/c", now: clock.now)) == nil, "db/a still restarts")
        _ = coordinator.stopAcknowledged("db/a", outcome: .stopped(.exited(0)), now: clock.now)
        let aBack = coordinator.serviceReady("db/a", now: clock.now)
        let reason = "taking down db/b would leave 1 ready, below min_ready 2"
        #expect(aBack.contains(.progress(.rolling(.halted(reason)))))
        #expect(Self.orders(aBack) == [])
        let rolling = try #require(Self.report(in: aBack)?.rolling)
        #expect(rolling.failure == reason)
        #expect(rolling.fewestReady == 1)
        #expect(rolling.instances.map(\.outcome) == [.restarted, .notReached, .notReached])
    }

    @Test("An instance whose agent's connection closed is left alone at its turn, and the next goes")
    func unreachableSkipped() throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: 4, minReady: 2, clock: &clock)
        _ = try coordinator.operationRequested(Operation(kind: .rollingRestart, service: "db"), now: clock.now).get()
        coordinator.connectionClosed("db/b", now: clock.now)
        _ = coordinator.stopAcknowledged("db/a", outcome: .stopped(.exited(0)), now: clock.now)
        let aBack = coordinator.serviceReady("db/a", now: clock.now)
        let reason = "its agent's connection is closed"
        #expect(aBack.contains(.progress(.rolling(.skipped("db/b", reason: reason)))))
        #expect(Self.orders(aBack) == ["db/c"])
    }

    @Test("An instance that connects and becomes ready mid-restart (scale up) lets one more go at once")
    func scaleUpMidRestart() throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: 3, minReady: 2, clock: &clock)
        let begun = try coordinator.operationRequested(
            Operation(kind: .rollingRestart, service: "db", maxUnavailable: 2), now: clock.now
        ).get()
        #expect(Self.orders(begun) == ["db/a"], "3 ready, min_ready 2: one at a time")
        let added = try coordinator.agentRegistered("db/d", host: "d", now: clock.now).get()
        #expect(Self.orders(added) == ["db/d"], "the new instance is started: its dependencies are up")
        let dReady = coordinator.serviceReady("db/d", now: clock.now)
        #expect(dReady == [.cancelTimer(.retransmit("db/d"))] + Self.takenDown("db/b", ready: 2, now: clock.now))
        for id in ["db/a", "db/b"] as [InstanceID] {
            _ = coordinator.stopAcknowledged(id, outcome: .stopped(.exited(0)), now: clock.now)
            _ = coordinator.serviceReady(id, now: clock.now)
        }
        _ = coordinator.stopAcknowledged("db/c", outcome: .stopped(.exited(0)), now: clock.now)
        let rolling = try #require(Self.report(in: coordinator.serviceReady("db/c", now: clock.now))?.rolling)
        #expect(
            rolling.instances.map(\.instance) == ["a", "b", "c"], "the new instance was started new: not restarted")
    }

    @Test("An instance failing its checks goes first: taking it down leaves the ready count as it is")
    func unreadyFirst() throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: 3, minReady: 2, clock: &clock)
        _ = coordinator.serviceUnready("db/c", reason: "slow", now: clock.now)
        let begun = try coordinator.operationRequested(Operation(kind: .rollingRestart, service: "db"), now: clock.now)
            .get()
        #expect(Array(begun.dropFirst()) == Self.takenDown("db/c", ready: 2, now: clock.now))
        _ = coordinator.stopAcknowledged("db/c", outcome: .stopped(.exited(0)), now: clock.now)
        let cBack = coordinator.serviceReady("db/c", now: clock.now)
        #expect(Self.orders(cBack) == ["db/a"], "back ready, it makes three: a ready one may go")
    }

    @Test("A shutdown during a rolling restart wins: it is reported interrupted, and api stops before any db instance")
    func shutdownWins() throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: 3, minReady: 2, clock: &clock)
        _ = try coordinator.operationRequested(Operation(kind: .rollingRestart, service: "db"), now: clock.now).get()
        _ = coordinator.stopAcknowledged("db/a", outcome: .stopped(.exited(0)), now: clock.now)
        let shutdown = coordinator.shutdownRequested(now: clock.now)
        #expect(shutdown.first == .cancelTimer(.rollingStart("db/a")))
        let report = try #require(Self.report(in: shutdown))
        #expect(report.interrupted)
        #expect(report.exitCode == CoordinatorExitCode.killedRemaining)
        #expect(report.rolling?.instances.map(\.outcome) == [.interrupted, .notReached, .notReached])
        #expect(Self.orders(shutdown) == ["api/x"], "the shutdown's first wave is api alone")
        #expect(coordinator.phaseName == "shutting down")
        let apiStopped = coordinator.stopAcknowledged("api/x", outcome: .stopped(.exited(0)), now: clock.now)
        #expect(Self.orders(apiStopped) == Self.db(3), "then every db instance, the one restarting too")
        #expect(coordinator.timerFired(.rollingStart("db/a"), now: clock.now + .seconds(30)) == [])
    }

    @Test("One operation at a time: others are refused while it runs; an agent's own stop waits for its end")
    func oneOperationAtATime() throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: 3, minReady: 2, clock: &clock)
        _ = try coordinator.operationRequested(Operation(kind: .rollingRestart, service: "db"), now: clock.now).get()
        #expect(
            coordinator.operationRequested(Operation(kind: .stop, service: "api"), now: clock.now)
                == .failure(.busy("running (restart db --rolling)")))
        let leave = Operation(kind: .stop, service: "api", requestedByAgent: true, instance: "x")
        #expect(coordinator.operationRequested(leave, now: clock.now) == .success([]))
        for id in Self.db(3) {
            _ = coordinator.stopAcknowledged(id, outcome: .stopped(.exited(0)), now: clock.now)
            let ready = coordinator.serviceReady(id, now: clock.now)
            if id == "db/c" {
                #expect(ready.contains(.progress(.operationBegan(leave))), "api's agent's stop begins after the report")
                #expect(Self.orders(ready) == ["api/x"])
            }
        }
    }

    @Test("A stop not acknowledged by its stop timeout and grace stops the rolling restart")
    func stopNotAcknowledged() throws {
        var clock = ManualClock()
        var coordinator = try Self.runningFleet(instances: 3, minReady: 2, clock: &clock)
        _ = try coordinator.operationRequested(Operation(kind: .rollingRestart, service: "db"), now: clock.now).get()
        clock.advance(by: .seconds(12))
        let late = coordinator.timerFired(.rollingStop("db/a"), now: clock.now)
        let reason = "its stop was not acknowledged within 12s"
        #expect(late.first == .progress(.rolling(.failed("db/a", reason: reason))))
        #expect(Self.report(in: late)?.rolling?.failure == "db/a did not come back: \(reason)")
        #expect(coordinator.status(now: clock.now)[0].instances[0].state == .stopping)
        let acknowledged = coordinator.stopAcknowledged("db/a", outcome: .killedAfterTimeout, now: clock.now)
        #expect(Self.orders(acknowledged) == [], "it is not started again: the rolling restart is over")
        #expect(coordinator.status(now: clock.now)[0].instances[0].state == .timedOut, "its late end is recorded")
    }
}

extension Result {
    fileprivate var isSuccess: Bool {
        if case .success = self { true } else { false }
    }
}
