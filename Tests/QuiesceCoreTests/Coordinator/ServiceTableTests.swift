import Testing

@testable import QuiesceCore

/// The coordinator's record of each service, one fact at a time.
@Suite("Coordinator state machine: service table")
struct ServiceTableTests {
    typealias Table = CoordinatorStateMachine.ServiceTable

    let names = ["database", "cache", "api"]
    let pid: Int32 = 42

    @Test("A new table has every service waiting, without an agent, in declaration order")
    func initiallyWaiting() {
        let table = Table(names: names, now: .after(.seconds(1)))
        #expect(
            table.status(now: .after(.seconds(3)))
                == names.map {
                    ServiceStatus(service: $0, state: .waiting, connected: false, sinceLastChange: .seconds(2))
                })
        #expect(table.contains("cache"))
        #expect(!table.contains("queue"))
        #expect(!table.isConnected("queue"), "an unknown service has no agent")
        #expect(table.connectedServices.isEmpty)
    }

    @Test("An agent connects, becomes unreachable when its connection closes, and is gone when disconnected")
    func connection() {
        var table = Table(names: names, now: .zero)
        table.markUnreachable("cache")
        #expect(!table.isUnreachable("cache"), "no agent: nothing to become unreachable")

        table.connect("cache", host: "h1")
        table.connect("database", host: "h2")
        #expect(table.isReachable("cache"))
        #expect(table.connectedServices == ["database", "cache"], "declaration order")
        table.markUnreachable("cache")
        #expect(table.isConnected("cache") && table.isUnreachable("cache") && !table.isReachable("cache"))
        #expect(table.status(now: .zero)[1].connected == false, "status shows an unreachable agent as not connected")
        #expect(table.connectedServices == ["database", "cache"], "still registered")

        table.connect("cache", host: "h3")
        #expect(table.isReachable("cache"), "registering again makes it reachable")
        #expect(table.status(now: .zero)[1].host == "h3")
        #expect(table.markSuspect("cache") == true)
        table.disconnect("cache")
        #expect(!table.isConnected("cache") && !table.isUnreachable("cache") && !table.isSuspect("cache"))
        #expect(table.connectedServices == ["database"])
    }

    @Test("Suspicion is raised once, for a connected agent only, and cleared once")
    func suspicion() {
        var table = Table(names: names, now: .zero)
        #expect(table.markSuspect("api") == false, "no agent")
        table.connect("api", host: "h")
        #expect(table.clearSuspect("api") == false)
        #expect(table.markSuspect("api") == true)
        #expect(table.markSuspect("api") == false, "already suspect")
        #expect(table.status(now: .zero)[2].suspect)
        #expect(table.clearSuspect("api") == true)
        #expect(!table.isSuspect("api"))
    }

    @Test("A snapshot is adopted as the service's state")
    func adoption() {
        var table = Table(names: names, now: .zero)
        table.adopt(.ready(pid: pid), of: "database", now: .after(.seconds(1)))
        table.adopt(.starting(pid: pid), of: "cache", now: .after(.seconds(1)))
        table.adopt(.stopping(pid: pid), of: "api", now: .after(.seconds(1)))
        #expect(
            table.status(now: .after(.seconds(2))) == [
                ServiceStatus(
                    service: "database", state: .ready, connected: false, pid: pid, uptime: .seconds(1),
                    sinceLastChange: .seconds(1), detail: "adopted from its agent"),
                ServiceStatus(
                    service: "cache", state: .starting, connected: false, pid: pid, sinceLastChange: .seconds(1),
                    detail: "adopted from its agent"),
                ServiceStatus(
                    service: "api", state: .stopping, connected: false, pid: pid, sinceLastChange: .seconds(1)),
            ])
        table.adopt(.exited(.exited(3)), of: "api", now: .after(.seconds(2)))
        #expect(table.state(of: "api") == .failed)
        #expect(table.exitStatus(of: "api") == .exited(3))
        #expect(table.detail(of: "api") == "process ended (exit code 3)")

        table.change("cache", to: .lost, now: .after(.seconds(2)))
        table.adopt(.idle, of: "cache", now: .after(.seconds(3)))
        #expect(table.state(of: "cache") == .waiting, "an idle agent back for a lost service: waiting again")
        table.adopt(.idle, of: "database", now: .after(.seconds(3)))
        #expect(table.state(of: "database") == .ready, "idle changes nothing else")
    }

    @Test("Starting a service forgets its last exit and readiness error; ready records when")
    func startAndReady() {
        var table = Table(names: names, now: .zero)
        table.recordExit(.signalled(9), of: "api", now: .after(.seconds(1)))
        table.recordCheck(of: "api", error: "connection refused")
        #expect(table.hasEnded("api"))
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
    func stopOutcomes(outcome: ShutdownOutcome, state: ServiceState) {
        var table = Table(names: names, now: .zero)
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
    func outcomesWithoutChange() {
        var table = Table(names: names, now: .zero)
        table.recordStop(.notConnected, of: "api", now: .after(.seconds(1)))
        #expect(table.state(of: "api") == .waiting)
        #expect(table.detail(of: "api") == ShutdownOutcome.notConnected.description)
        #expect(table.status(now: .after(.seconds(1)))[2].sinceLastChange == .seconds(1))
        table.change("cache", to: .stopped, now: .zero, detail: "stopped (exit code 0)")
        table.recordStop(.stoppedEarlier("stopped (exit code 0)"), of: "cache", now: .after(.seconds(1)))
        #expect(table.state(of: "cache") == .stopped)
        #expect(table.detail(of: "cache") == "stopped (exit code 0)")
    }

    @Test("An order is repeated after 1, 2, 4, then every 8 s until answered, and only to a connected agent")
    func retransmission() {
        var table = Table(names: names, now: .zero)
        let kill = CoordinatorStateMachine.Order.kill(exit: true)
        table.connect("api", host: "h")
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
