import QuiesceCore
import Testing

/// The coordinator with eager scheduling: from the configuration or asked by one run, over the
/// instances of its services, journaled, and resumed so.
@Suite("Coordinator state machine: eager scheduling")
struct EagerSchedulingTests {
    typealias Coordinator = CoordinatorStateMachine
    let clean = StopOutcome.stopped(.exited(0))
    let stoppedB1 = RecordedOutcome(code: "stopped", clean: true, detail: "stopped (exit code 0)")

    /// Two chains, `a1` on `a2` and `b1` on `b2`; `b1` has two instances.
    static func configuration(scheduling: Scheduling = .waves, b1Instances: Int = 1) throws -> Configuration {
        var b1 = ServiceSpec(name: "b1", dependencies: ["b2"])
        b1.instances = b1Instances
        b1.minReady = b1Instances
        var configuration = Configuration(
            graph: try ServiceGraph(validating: [
                ServiceSpec(name: "a2"), ServiceSpec(name: "a1", dependencies: ["a2"]), ServiceSpec(name: "b2"), b1,
            ]))
        configuration.coordinator.scheduling = scheduling
        return configuration
    }

    /// Registers every instance, all ready: the fleet runs.
    static func running(_ configuration: Configuration, instances: [InstanceID]) throws -> Coordinator {
        var coordinator = Coordinator(configuration: configuration, now: .zero)
        for id in instances { _ = try coordinator.agentRegistered(id, host: "h-\(id.instance)", now: .zero).get() }
        for wave in coordinator.plan.startupWaves {
            for id in instances where wave.contains(id.service) { _ = coordinator.serviceReady(id, now: .zero) }
        }
        #expect(coordinator.phaseName == "running")
        return coordinator
    }

    static let single: [InstanceID] = ["a2", "a1", "b2", "b1"]

    @Test("A shutdown asked eager is journaled eager and orders b2 once b1 is done, a1 still stopping")
    func askedEager() throws {
        var coordinator = try Self.running(try Self.configuration(), instances: Self.single)
        let began = coordinator.shutdownRequested(now: .zero, scheduling: .eager)
        #expect(Array(began.prefix(2)) == [.journal(.shutdownBegan(.eager)), .progress(.shutdownBegan)])
        #expect(
            CoordinatorFixtures.sends(began) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "a1"),
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "b1"),
            ])
        let b1Done = coordinator.stopAcknowledged("b1", outcome: clean, now: .after(.seconds(1)))
        #expect(
            CoordinatorFixtures.sends(b1Done) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "b2")
            ]
        )
        #expect(b1Done.contains(.journaled("b1", .acknowledged(clean))))
    }

    @Test("Without asking, a shutdown takes the configuration's scheduling; asked waves, it runs waves")
    func configuredOrAsked() throws {
        var eager = try Self.running(try Self.configuration(scheduling: .eager), instances: Self.single)
        #expect(eager.shutdownRequested(now: .zero).first == .journal(.shutdownBegan(.eager)))
        var waves = try Self.running(try Self.configuration(scheduling: .eager), instances: Self.single)
        #expect(waves.shutdownRequested(now: .zero, scheduling: .waves).first == .journal(.shutdownBegan(.waves)))
        #expect(
            CoordinatorFixtures.sends(waves.stopAcknowledged("b1", outcome: clean, now: .after(.seconds(1)))).isEmpty)
    }

    @Test("Eager, a dependency waits for every instance of its dependent")
    func everyInstance() throws {
        let instances: [InstanceID] = ["a2", "a1", "b2", "b1/x", "b1/y"]
        var coordinator = try Self.running(try Self.configuration(b1Instances: 2), instances: instances)
        _ = coordinator.shutdownRequested(now: .zero, scheduling: .eager)
        #expect(
            CoordinatorFixtures.sends(coordinator.stopAcknowledged("b1/x", outcome: clean, now: .after(.seconds(1))))
                .isEmpty)
        #expect(
            CoordinatorFixtures.sends(coordinator.stopAcknowledged("b1/y", outcome: clean, now: .after(.seconds(2))))
                == [.send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "b2")])
    }

    @Test("A targeted stop asked eager orders each service once its dependents are done")
    func eagerOperation() throws {
        var coordinator = try Self.running(try Self.configuration(), instances: Self.single)
        let stop = Operation(kind: .stop, service: "b2", scheduling: .eager)
        let begun = try coordinator.operationRequested(stop, now: .zero).get()
        #expect(
            CoordinatorFixtures.sends(begun) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "b1")
            ])
        let done = coordinator.stopAcknowledged("b1", outcome: clean, now: .after(.seconds(1)))
        #expect(
            CoordinatorFixtures.sends(done) == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: false), to: "b2")
            ])
        let finished = coordinator.stopAcknowledged("b2", outcome: clean, now: .after(.seconds(2)))
        let report = try #require(
            finished.compactMap { if case .operationFinished(let report) = $0 { report } else { nil } }.first)
        #expect(report.stop?.scheduling == .eager)
    }

    @Test("A shutdown resumed from an eager journal goes on eager, whatever the new configuration says")
    func resumedEager() throws {
        var coordinator = Coordinator(
            configuration: try Self.configuration(scheduling: .waves), now: .zero,
            resuming: RecordedShutdown(services: ["b1": stoppedB1], scheduling: .eager))
        _ = coordinator.start(now: .zero)
        var sends: [Coordinator.Action] = []
        for id: InstanceID in ["a2", "a1", "b2"] {
            let actions = try coordinator.agentRegistered(id, host: "h", snapshot: .ready(pid: 1), now: .zero).get()
            sends += CoordinatorFixtures.sends(actions)
        }
        // b1 stopped before the restart: eager, b2 goes with a1; waves would wait for a1.
        #expect(
            sends == [
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "a1"),
                .send(.stop(timeout: .seconds(10), drain: .zero, exit: true), to: "b2"),
            ])
    }

    @Test("The fleet's startup follows the configuration: eager, b1 starts once b2 is ready")
    func eagerStartup() throws {
        var coordinator = Coordinator(configuration: try Self.configuration(scheduling: .eager), now: .zero)
        for id in Self.single { _ = try coordinator.agentRegistered(id, host: "h", now: .zero).get() }
        #expect(
            CoordinatorFixtures.sends(coordinator.serviceReady("b2", now: .after(.seconds(1))))
                == [.send(.start(readiness: nil, restart: nil), to: "b1")])
        #expect(coordinator.phaseName == "starting")
    }
}
