import QuiesceCore
import Testing

@Suite("Startup state machine")
struct StartupStateMachineTests {
    let graph: ServiceGraph

    init() throws {
        graph = try Fixtures.seedGraph()
    }

    func machine(now: Timestamp = .zero) -> StartupStateMachine {
        StartupStateMachine(graph: graph, plan: Plan(graph: graph), now: now)
    }

    /// A machine whose first wave (cache, database) was ordered to start at t+0.
    func firstWaveStarted() -> StartupStateMachine {
        var startup = machine()
        #expect(startup.agentConnected("cache", now: .zero) == [])
        #expect(
            startup.agentConnected("database", now: .zero) == [
                .progress(.waveStarted(number: 1, of: 2, services: ["cache", "database"])),
                .sendStart(service: "cache"),
                .scheduleTimer(.startDeadline("cache"), at: .after(.seconds(30))),
                .sendStart(service: "database"),
                .scheduleTimer(.startDeadline("database"), at: .after(.seconds(30))),
            ])
        return startup
    }

    @Test("A wave starts once all its agents are connected, and the next once it is ready")
    func wavesAreGated() {
        var clock = ManualClock()
        var startup = machine()

        #expect(startup.missingAgents == ["cache", "database"])
        #expect(startup.agentConnected("api", now: clock.now) == [])
        clock.advance(by: .seconds(1))
        #expect(startup.agentConnected("cache", now: clock.now) == [])
        #expect(startup.missingAgents == ["database"])
        clock.advance(by: .seconds(1))
        #expect(
            startup.agentConnected("database", now: clock.now) == [
                .progress(.waveStarted(number: 1, of: 2, services: ["cache", "database"])),
                .sendStart(service: "cache"),
                .scheduleTimer(.startDeadline("cache"), at: .after(.seconds(32))),
                .sendStart(service: "database"),
                .scheduleTimer(.startDeadline("database"), at: .after(.seconds(32))),
            ])
        #expect(startup.missingAgents == [])
        #expect(startup.serviceReady("api", now: clock.now) == [])
        clock.advance(by: .seconds(1))
        #expect(
            startup.serviceReady("cache", now: clock.now) == [
                .cancelTimer(.startDeadline("cache")),
                .progress(.serviceReady("cache", after: .seconds(1))),
            ])
        #expect(startup.serviceReady("cache", now: clock.now) == [])
        clock.advance(by: .seconds(1))
        #expect(
            startup.serviceReady("database", now: clock.now) == [
                .cancelTimer(.startDeadline("database")),
                .progress(.serviceReady("database", after: .seconds(2))),
                .progress(.waveStarted(number: 2, of: 2, services: ["api"])),
                .sendStart(service: "api"),
                .scheduleTimer(.startDeadline("api"), at: .after(.seconds(34))),
            ])
        #expect(startup.isActive)
        clock.advance(by: .milliseconds(500))
        #expect(
            startup.serviceReady("api", now: clock.now) == [
                .cancelTimer(.startDeadline("api")),
                .progress(.serviceReady("api", after: .milliseconds(500))),
                .complete(after: .milliseconds(4500), waitingForAgents: .seconds(2)),
            ])
        #expect(!startup.isActive)
    }

    @Test("A ready wave waits for the next wave's agents")
    func nextWaveWaitsForAgents() {
        var clock = ManualClock()
        var startup = firstWaveStarted()

        clock.advance(by: .seconds(1))
        #expect(
            startup.serviceReady("cache", now: clock.now) == [
                .cancelTimer(.startDeadline("cache")), .progress(.serviceReady("cache", after: .seconds(1))),
            ])
        #expect(
            startup.serviceReady("database", now: clock.now) == [
                .cancelTimer(.startDeadline("database")),
                .progress(.serviceReady("database", after: .seconds(1))),
            ])
        #expect(startup.missingAgents == ["api"])
        clock.advance(by: .seconds(5))
        #expect(
            startup.agentConnected("api", now: clock.now) == [
                .progress(.waveStarted(number: 2, of: 2, services: ["api"])),
                .sendStart(service: "api"),
                .scheduleTimer(.startDeadline("api"), at: .after(.seconds(36))),
            ])
    }

    @Test("An agent lost before its wave is waited for again")
    func lostBeforeItsWave() {
        var startup = machine()
        #expect(startup.agentConnected("cache", now: .zero) == [])
        #expect(startup.agentLost("cache", now: .zero) == [])
        #expect(startup.agentConnected("database", now: .zero) == [])
        #expect(startup.missingAgents == ["cache"])
        #expect(startup.isActive)
    }

    @Test("A start timeout fails the startup and lists what was never started")
    func startTimeout() {
        var clock = ManualClock()
        var startup = firstWaveStarted()

        clock.advance(by: .seconds(4))
        #expect(
            startup.serviceReady("cache", now: clock.now) == [
                .cancelTimer(.startDeadline("cache")), .progress(.serviceReady("cache", after: .seconds(4))),
            ])
        clock.advance(by: .seconds(26))
        #expect(
            startup.timerFired(.startDeadline("database"), now: clock.now) == [
                .cancelTimer(.startDeadline("database")),
                .fail(StartupFailure(service: "database", reason: .timedOut(.seconds(30)), notStarted: ["api"])),
            ])
        #expect(!startup.isActive)
        #expect(startup.serviceReady("database", now: clock.now) == [])
        #expect(startup.agentConnected("api", now: clock.now) == [])
    }

    @Test("A start deadline for a service already ready is ignored")
    func staleDeadline() {
        var startup = firstWaveStarted()
        #expect(
            startup.serviceReady("cache", now: .after(.seconds(1))) == [
                .cancelTimer(.startDeadline("cache")), .progress(.serviceReady("cache", after: .seconds(1))),
            ])
        #expect(startup.timerFired(.startDeadline("cache"), now: .after(.seconds(30))) == [])
        #expect(startup.isActive)
    }

    @Test("A process that ends while starting fails the startup")
    func exitDuringStart() {
        var startup = firstWaveStarted()
        let failure = StartupFailure(service: "cache", reason: .exited(.exited(1)), notStarted: ["api"])
        #expect(
            startup.serviceFailed("cache", reason: .exited(.exited(1)), now: .after(.seconds(2))) == [
                .cancelTimer(.startDeadline("cache")),
                .cancelTimer(.startDeadline("database")),
                .fail(failure),
            ])
        #expect(
            failure.description
                == #"service "cache" failed to start: its process ended (exit code 1); not started: api"#)
        #expect(!startup.isActive)
    }

    @Test("A failure reported for a service never ordered to start is ignored")
    func failureBeforeOrder() {
        var startup = firstWaveStarted()
        #expect(startup.serviceFailed("api", reason: .failed("boom"), now: .zero) == [])
        #expect(startup.isActive)
    }

    @Test("An agent lost while its service starts fails the startup")
    func agentLostWhileStarting() {
        var startup = firstWaveStarted()
        #expect(
            startup.serviceReady("database", now: .after(.seconds(1))) == [
                .cancelTimer(.startDeadline("database")), .progress(.serviceReady("database", after: .seconds(1))),
            ])
        #expect(
            startup.agentLost("cache", now: .after(.seconds(2))) == [
                .cancelTimer(.startDeadline("cache")),
                .fail(StartupFailure(service: "cache", reason: .lost, notStarted: ["api"])),
            ])
        #expect(!startup.isActive)
    }

    @Test("A failure in the last wave leaves nothing unstarted")
    func failureInLastWave() {
        var startup = firstWaveStarted()
        #expect(
            startup.serviceReady("cache", now: .zero) == [
                .cancelTimer(.startDeadline("cache")), .progress(.serviceReady("cache", after: .zero)),
            ])
        #expect(
            startup.serviceReady("database", now: .zero) == [
                .cancelTimer(.startDeadline("database")), .progress(.serviceReady("database", after: .zero)),
            ])
        #expect(
            startup.agentConnected("api", now: .zero) == [
                .progress(.waveStarted(number: 2, of: 2, services: ["api"])),
                .sendStart(service: "api"),
                .scheduleTimer(.startDeadline("api"), at: .after(.seconds(30))),
            ])
        #expect(
            startup.serviceFailed("api", reason: .failed("readiness check failed"), now: .after(.seconds(1))) == [
                .cancelTimer(.startDeadline("api")),
                .fail(StartupFailure(service: "api", reason: .failed("readiness check failed"), notStarted: [])),
            ])
    }

    @Test("Abandoning cancels the pending deadlines once")
    func abandon() {
        var startup = firstWaveStarted()
        #expect(
            startup.serviceReady("cache", now: .zero) == [
                .cancelTimer(.startDeadline("cache")), .progress(.serviceReady("cache", after: .zero)),
            ])
        #expect(startup.abandon() == [.cancelTimer(.startDeadline("database"))])
        #expect(!startup.isActive)
        #expect(startup.abandon() == [])
    }

    @Test("A graph of one wave completes when that wave is ready")
    func singleWave() throws {
        let graph = try ServiceGraph(validating: [ServiceSpec(name: "solo", startTimeout: .seconds(5))])
        var startup = StartupStateMachine(graph: graph, plan: Plan(graph: graph), now: .after(.seconds(10)))
        #expect(
            startup.agentConnected("solo", now: .after(.seconds(11))) == [
                .progress(.waveStarted(number: 1, of: 1, services: ["solo"])),
                .sendStart(service: "solo"),
                .scheduleTimer(.startDeadline("solo"), at: .after(.seconds(16))),
            ])
        #expect(
            startup.serviceReady("solo", now: .after(.seconds(12))) == [
                .cancelTimer(.startDeadline("solo")),
                .progress(.serviceReady("solo", after: .seconds(1))),
                .complete(after: .seconds(2), waitingForAgents: .seconds(1)),
            ])
    }
}
