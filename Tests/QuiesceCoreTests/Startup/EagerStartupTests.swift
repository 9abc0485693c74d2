import QuiesceCore
import Testing

/// The startup machine with `scheduling: eager`: each service starts once its own agent is there
/// and its dependencies are ready, whatever the rest of its wave does.
@Suite("Eager startup")
struct EagerStartupTests {
    /// Two chains: `a1` depends on `a2`, `b1` on `b2`. Waves: {a2, b2}, then {a1, b1}.
    let graph: ServiceGraph

    init() throws {
        graph = try ServiceGraph(validating: [
            ServiceSpec(name: "a2"),
            ServiceSpec(name: "a1", dependencies: ["a2"]),
            ServiceSpec(name: "b2"),
            ServiceSpec(name: "b1", dependencies: ["b2"]),
        ])
    }

    func machine(scheduling: Scheduling = .eager) -> StartupStateMachine {
        StartupStateMachine(graph: graph, plan: Plan(graph: graph), now: .zero, scheduling: scheduling)
    }

    @Test("A dependent starts the moment its dependency is ready, not when the wave is")
    func dependentGoesWithItsDependency() {
        var clock = ManualClock()
        var startup = machine()
        #expect(startup.scheduling == .eager)
        #expect(startup.missingAgents == ["a2", "b2"])
        #expect(startup.agentConnected("a1", now: clock.now) == [])
        #expect(startup.agentConnected("b1", now: clock.now) == [])
        #expect(
            startup.agentConnected("a2", now: clock.now) == [
                .progress(.servicesStarting(["a2"])),
                .sendStart(service: "a2"),
                .scheduleTimer(.startDeadline("a2"), at: .after(.seconds(30))),
            ])
        #expect(startup.missingAgents == ["b2"])
        clock.advance(by: .seconds(1))
        #expect(
            startup.agentConnected("b2", now: clock.now) == [
                .progress(.servicesStarting(["b2"])),
                .sendStart(service: "b2"),
                .scheduleTimer(.startDeadline("b2"), at: .after(.seconds(31))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            startup.serviceReady("b2", now: clock.now) == [
                .cancelTimer(.startDeadline("b2")),
                .progress(.serviceReady("b2", after: .seconds(1))),
                .progress(.servicesStarting(["b1"])),
                .sendStart(service: "b1"),
                .scheduleTimer(.startDeadline("b1"), at: .after(.seconds(32))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            startup.serviceReady("b1", now: clock.now) == [
                .cancelTimer(.startDeadline("b1")),
                .progress(.serviceReady("b1", after: .seconds(1))),
            ])
        clock.advance(by: .seconds(2))
        #expect(
            startup.serviceReady("a2", now: clock.now) == [
                .cancelTimer(.startDeadline("a2")),
                .progress(.serviceReady("a2", after: .seconds(5))),
                .progress(.servicesStarting(["a1"])),
                .sendStart(service: "a1"),
                .scheduleTimer(.startDeadline("a1"), at: .after(.seconds(35))),
            ])
        clock.advance(by: .seconds(1))
        #expect(
            startup.serviceReady("a1", now: clock.now) == [
                .cancelTimer(.startDeadline("a1")),
                .progress(.serviceReady("a1", after: .seconds(1))),
                .complete(after: .seconds(6), waitingForAgents: .zero),
            ])
        #expect(!startup.isActive)
    }

    @Test("A dependent whose dependencies are ready waits for its own agent alone")
    func waitsForItsOwnAgent() {
        var clock = ManualClock()
        var startup = machine()
        _ = startup.agentConnected("a2", now: clock.now)
        _ = startup.agentConnected("b2", now: clock.now)
        clock.advance(by: .seconds(1))
        _ = startup.serviceReady("b2", now: clock.now)
        #expect(startup.missingAgents == ["b1"])
        clock.advance(by: .seconds(1))
        _ = startup.serviceReady("a2", now: clock.now)
        #expect(startup.missingAgents == ["b1", "a1"])
        clock.advance(by: .seconds(1))
        #expect(
            startup.agentConnected("a1", now: clock.now) == [
                .progress(.servicesStarting(["a1"])),
                .sendStart(service: "a1"),
                .scheduleTimer(.startDeadline("a1"), at: .after(.seconds(33))),
            ])
        clock.advance(by: .seconds(1))
        _ = startup.serviceReady("a1", now: clock.now)
        clock.advance(by: .seconds(1))
        _ = startup.agentConnected("b1", now: clock.now)
        clock.advance(by: .seconds(1))
        // Nothing was starting from a2's readiness (t+2) to a1's agent (t+3), nor from a1's readiness
        // (t+4) to b1's agent (t+5): two seconds waiting for agents.
        #expect(
            startup.serviceReady("b1", now: clock.now) == [
                .cancelTimer(.startDeadline("b1")),
                .progress(.serviceReady("b1", after: .seconds(1))),
                .complete(after: .seconds(6), waitingForAgents: .seconds(2)),
            ])
    }

    @Test("A failure stops the startup: nothing not started yet is started")
    func failureStops() {
        var startup = machine()
        _ = startup.agentConnected("a2", now: .zero)
        _ = startup.agentConnected("b2", now: .zero)
        _ = startup.agentConnected("b1", now: .zero)
        _ = startup.serviceReady("b2", now: .after(.seconds(1)))
        let failed = startup.serviceFailed("a2", reason: .exited(.exited(1)), now: .after(.seconds(2)))
        #expect(
            failed == [
                .cancelTimer(.startDeadline("a2")),
                .cancelTimer(.startDeadline("b1")),
                .fail(StartupFailure(service: "a2", reason: .exited(.exited(1)), notStarted: ["a1"])),
            ])
        #expect(startup.agentConnected("a1", now: .after(.seconds(3))) == [])
    }

    @Test("A service adopted ready releases its dependents at once")
    func adoptedReadyReleases() {
        var startup = machine()
        #expect(
            startup.agentConnected("b2", snapshot: .ready(pid: 7), now: .zero) == [
                .progress(.serviceAdopted("b2", ready: true))
            ])
        #expect(
            startup.agentConnected("b1", now: .zero) == [
                .progress(.servicesStarting(["b1"])),
                .sendStart(service: "b1"),
                .scheduleTimer(.startDeadline("b1"), at: .after(.seconds(30))),
            ])
    }

    @Test("Waves, the same graph: the second wave waits for the whole first")
    func wavesWaitForTheWave() {
        var startup = machine(scheduling: .waves)
        for name in graph.names { _ = startup.agentConnected(name, now: .zero) }
        #expect(
            startup.serviceReady("b2", now: .after(.seconds(1))) == [
                .cancelTimer(.startDeadline("b2")),
                .progress(.serviceReady("b2", after: .seconds(1))),
            ])
    }
}
