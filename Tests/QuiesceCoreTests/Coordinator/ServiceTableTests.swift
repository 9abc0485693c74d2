import Testing

@testable import QuiesceCore

/// The coordinator's record of each service and its instances, one fact at a time.
@Suite("Coordinator state machine: service table")
struct ServiceTableTests {
    typealias Table = CoordinatorStateMachine.ServiceTable

    let names = ["database", "cache", "api"]
    let pid: Int32 = 42

    /// The seed fleet, with `database` expecting three instances of which two must be ready.
    func table(now: Timestamp = .zero) throws -> Table {
        var services = Fixtures.seedServices
        services[0].instances = 3
        services[0].minReady = 2
        return Table(graph: try ServiceGraph(validating: services), now: now)
    }

    @Test("A new table has every service without an instance, in declaration order")
    func initiallyEmpty() throws {
        let table = try table(now: .after(.seconds(1)))
        #expect(
            table.status(now: .after(.seconds(3))) == [
                ServiceStatus(service: "database", expected: 3, minReady: 2, ready: 0, instances: []),
                ServiceStatus(service: "cache", ready: 0, instances: []),
                ServiceStatus(service: "api", ready: 0, instances: []),
            ])
        #expect(table.status(now: .zero).map(\.state) == [.waiting, .waiting, .waiting])
        #expect(table.contains(service: "cache"))
        #expect(!table.contains(service: "queue"))
        #expect(!table.isConnected("queue"), "an unknown service has no agent")
        #expect(table.connectedInstances.isEmpty)
    }

    @Test("An agent connects, becomes unreachable when its connection closes, and is gone when disconnected")
    func connection() throws {
        var table = try table()
        table.markUnreachable("cache")
        #expect(!table.isUnreachable("cache"), "no agent: nothing to become unreachable")

        table.connect("cache", host: "h1", now: .zero)
        table.connect("database/a", host: "h2", now: .zero)
        #expect(table.isReachable("cache"))
        #expect(table.connectedInstances == ["database/a", "cache"], "declaration order")
        table.markUnreachable("cache")
        #expect(table.isConnected("cache") && table.isUnreachable("cache") && !table.isReachable("cache"))
        #expect(table.status(now: .zero)[1].connected == false, "status shows an unreachable agent as not connected")
        #expect(table.hasConnectedInstance("cache"), "still registered")

        table.connect("cache", host: "h3", now: .zero)
        #expect(table.isReachable("cache"), "registering again makes it reachable")
        #expect(table.status(now: .zero)[1].host == "h3")
        #expect(table.instanceCount(of: "cache") == 1, "the same instance")
        #expect(table.markSuspect("cache") == true)
        table.disconnect("cache")
        #expect(!table.isConnected("cache") && !table.isUnreachable("cache") && !table.isSuspect("cache"))
        #expect(!table.hasConnectedInstance("cache"))
        #expect(table.connectedInstances == ["database/a"])
    }

    @Test("Instances of a service are counted by state as they change: ready, running, viable, ended")
    func counts() throws {
        var table = try table()
        for id: InstanceID in ["database/a", "database/b", "database/c"] {
            table.connect(id, host: id.instance, now: .zero)
        }
        #expect(table.viableCount(of: "database") == 3)
        table.markStarting("database/a", now: .zero)
        table.markStarting("database/b", now: .zero)
        #expect(table.runningCount(of: "database") == 2)
        table.markReady("database/a", now: .after(.seconds(1)))
        #expect(table.readyCount(of: "database") == 1)
        #expect(!table.isUp("database"), "min_ready is 2")
        table.markReady("database/b", now: .after(.seconds(1)))
        #expect(table.isUp("database") && table.isRunning("database"))
        #expect(!table.allExpectedReady("database"))
        #expect(table.missingInstances(of: "database").notReady == ["c"])
        let status = table.status(now: .after(.seconds(2)))[0]
        #expect(status.summary == "2/3 ready")
        #expect(status.state == .ready, "at least min_ready are ready")
        table.recordExit(.exited(1), of: "database/c", now: .after(.seconds(2)))
        #expect(table.viableCount(of: "database") == 2)
        table.change("database/b", to: .unready, now: .after(.seconds(3)))
        #expect(!table.isUp("database") && table.isRunning("database"))
        #expect(table.status(now: .after(.seconds(3)))[0].state == .unready)
        for id: InstanceID in ["database/a", "database/b"] {
            table.recordStop(.acknowledged(.stopped(.exited(0))), of: id, now: .after(.seconds(4)))
        }
        #expect(table.hasEnded("database") && !table.hasStopped("database"), "c failed")
        #expect(table.readyCount(of: "database") == 0)
    }

    @Test("More instances than expected are recorded, up to the bound")
    func room() throws {
        var table = try table()
        for index in 0..<4 { table.connect(InstanceID(service: "cache", instance: "\(index)"), host: "h", now: .zero) }
        #expect(table.instanceCount(of: "cache") == 4)
        #expect(table.status(now: .zero)[1].summary == "0/4 ready")
        #expect(table.hasRoom(for: InstanceID(service: "cache", instance: "new")))
    }

    @Test("Suspicion is raised once, for a connected agent only, and cleared once")
    func suspicion() throws {
        var table = try table()
        #expect(table.markSuspect("api") == false, "no agent")
        table.connect("api", host: "h", now: .zero)
        #expect(table.clearSuspect("api") == false)
        #expect(table.markSuspect("api") == true)
        #expect(table.markSuspect("api") == false, "already suspect")
        #expect(table.status(now: .zero)[2].suspect)
        #expect(table.clearSuspect("api") == true)
        #expect(!table.isSuspect("api"))
    }

    @Test("A snapshot is adopted as the instance's state")
    func adoption() throws {
        var table = try table()
        for id: InstanceID in ["database", "cache", "api"] { table.connect(id, host: "h", now: .zero) }
        table.adopt(.ready(pid: pid), of: "database", now: .after(.seconds(1)))
        table.adopt(.starting(pid: pid), of: "cache", now: .after(.seconds(1)))
        table.adopt(.stopping(pid: pid), of: "api", now: .after(.seconds(1)))
        #expect(
            table.status(now: .after(.seconds(2))).map { $0.instances[0] } == [
                InstanceStatus(
                    instance: "host-database", state: .ready, connected: true, host: "h", pid: pid,
                    uptime: .seconds(1), sinceLastChange: .seconds(1), detail: "adopted from its agent"),
                InstanceStatus(
                    instance: "host-cache", state: .starting, connected: true, host: "h", pid: pid,
                    sinceLastChange: .seconds(1), detail: "adopted from its agent"),
                InstanceStatus(
                    instance: "host-api", state: .stopping, connected: true, host: "h", pid: pid,
                    sinceLastChange: .seconds(1)),
            ])
        table.adopt(.exited(.exited(3)), of: "api", now: .after(.seconds(2)))
        #expect(table.state(of: "api") == .failed)
        #expect(table.exitStatus(of: "api") == .exited(3))
        #expect(table.detail(of: "api") == "process ended (exit code 3)")

        table.change("cache", to: .lost, now: .after(.seconds(2)))
        table.adopt(.idle, of: "cache", now: .after(.seconds(3)))
        #expect(table.state(of: "cache") == .waiting, "an idle agent back for a lost instance: waiting again")
        table.adopt(.idle, of: "database", now: .after(.seconds(3)))
        #expect(table.state(of: "database") == .ready, "idle changes nothing else")
    }

    @Test("Starting an instance forgets its last exit and readiness error; ready records when")
    func startAndReady() throws {
        var table = try table()
        table.connect("api", host: "h", now: .zero)
        table.recordExit(.signalled(9), of: "api", now: .after(.seconds(1)))
        table.recordCheck(of: "api", error: "connection refused")
        #expect(table.hasEnded("api" as InstanceID))
        #expect(table.lastCheckError(of: "api") == "connection refused")
        table.markStarting("api", now: .after(.seconds(2)))
        #expect(table.state(of: "api") == .starting)
        #expect(table.exitStatus(of: "api") == nil)
        #expect(table.lastCheckError(of: "api") == nil)
        #expect(table.detail(of: "api") == nil)
        table.recordSpawn(of: "api", pid: pid)
        table.explain("api", detail: "not ready yet: connection refused")
        #expect(table.state(of: "api") == .starting, "an explanation changes no state")
        table.markReady("api", now: .after(.seconds(3)))
        let api = table.status(now: .after(.seconds(5)))[2]
        #expect(api.state == .ready)
        #expect(api.pid == pid)
        #expect(api.uptime == .seconds(2))
        #expect(api.detail == nil)
    }

    @Test(
        "Each stop outcome leaves its state",
        arguments: [
            (ShutdownOutcome.acknowledged(.stopped(.exited(0))), ServiceState.stopped),
            (.acknowledged(.killed), .stopped),
            (.killed(nil, reason: .deadline), .stopped),
            (.acknowledged(.alreadyExited(.exited(1))), .failed),
            (.acknowledged(.killedAfterTimeout), .timedOut),
            (.timedOut, .timedOut),
            (.lost, .lost),
            (.recorded(RecordedOutcome(code: "stopped", clean: true, detail: "stopped (exit code 0)")), .stopped),
            (.recorded(RecordedOutcome(code: "timed_out", clean: false, detail: "timed out")), .failed),
        ])
    func stopOutcomes(outcome: ShutdownOutcome, state: ServiceState) throws {
        var table = try table()
        table.connect("api", host: "h", now: .zero)
        table.change("api", to: .stopping, now: .zero)
        table.recordStop(outcome, of: "api", now: .after(.seconds(1)))
        #expect(table.state(of: "api") == state)
        let expectedDetail =
            if case .acknowledged(.alreadyExited(let status)) = outcome {
                "process had ended (\(status))"
            } else {
                outcome.description
            }
        #expect(table.detail(of: "api") == expectedDetail)
        #expect(table.status(now: .after(.seconds(1)))[2].sinceLastChange == .zero)
    }

    @Test("Not connected and stopped earlier change no state; not connected explains it")
    func outcomesWithoutChange() throws {
        var table = try table()
        table.connect("api", host: "h", now: .zero)
        table.recordStop(.notConnected, of: "api", now: .after(.seconds(1)))
        #expect(table.state(of: "api") == .waiting)
        #expect(table.detail(of: "api") == ShutdownOutcome.notConnected.description)
        #expect(table.status(now: .after(.seconds(1)))[2].sinceLastChange == .seconds(1))
        table.connect("cache", host: "h", now: .zero)
        table.change("cache", to: .stopped, now: .zero, detail: "stopped (exit code 0)")
        table.recordStop(.stoppedEarlier("stopped (exit code 0)"), of: "cache", now: .after(.seconds(1)))
        #expect(table.state(of: "cache") == .stopped)
        #expect(table.detail(of: "cache") == "stopped (exit code 0)")
    }

    @Test("An order is repeated after 1, 2, 4, then every 8 s until answered, and only to a connected agent")
    func retransmission() throws {
        var table = try table()
        let kill = CoordinatorStateMachine.Order.kill(exit: true)
        table.connect("api", host: "h", now: .zero)
        #expect(table.retransmit(to: "api", now: .zero) == [], "nothing sent yet")
        #expect(
            table.send(kill, to: "api", now: .zero) == [
                .send(kill, to: "api"), .scheduleTimer(.retransmit("api"), at: .after(.seconds(1))),
            ])
        var now = Timestamp.after(.seconds(1))
        for delay in [2, 4, 8, 8] {
            #expect(
                table.retransmit(to: "api", now: now) == [
                    .send(kill, to: "api"), .scheduleTimer(.retransmit("api"), at: now + .seconds(Int64(delay))),
                ])
            now = now + .seconds(Int64(delay))
        }
        table.disconnect("api")
        #expect(table.retransmit(to: "api", now: now) == [], "no agent to send it to")
        #expect(table.answered("api") == [.cancelTimer(.retransmit("api"))])
        #expect(table.answered("api") == [], "answered once")
        #expect(Table.retransmitDelay(afterSends: 10) == .seconds(8))
    }
}
