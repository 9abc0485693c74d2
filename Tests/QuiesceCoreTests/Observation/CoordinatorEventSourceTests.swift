import Testing

@testable import QuiesceCore

@Suite("Coordinator event source")
struct CoordinatorEventSourceTests {
    static let api = InstanceID(service: "api", instance: "web-1")

    static func at(_ seconds: Int) -> Timestamp { Timestamp(sinceOrigin: .seconds(seconds)) }

    @Test("Heartbeats, timers and the journal tell nothing")
    func quietActions() {
        var source = CoordinatorEventSource()
        #expect(source.events(of: .sendHeartbeat(to: Self.api), now: Self.at(1)).isEmpty)
        #expect(source.events(of: .scheduleTimer(.heartbeat, at: Self.at(2)), now: Self.at(1)).isEmpty)
        #expect(source.events(of: .cancelTimer(.heartbeat), now: Self.at(1)).isEmpty)
        #expect(source.events(of: .journal(.shutdownBegan(.waves)), now: Self.at(1)).isEmpty)
    }

    @Test("An eager startup begins its run with its first services and has no waves; an eager shutdown none either")
    func eagerRuns() {
        var source = CoordinatorEventSource()
        #expect(
            source.events(of: .progress(.startup(.servicesStarting(["database"]))), now: Self.at(1)) == [
                CoordinatorEvent(at: Self.at(1), .runBegan(.startup, operation: nil))
            ])
        #expect(source.events(of: .progress(.startup(.servicesStarting(["api"]))), now: Self.at(2)).isEmpty)
        #expect(
            source.events(of: .progress(.startupComplete(after: .seconds(3), waitingForAgents: .zero)), now: Self.at(3))
                .map(\.name) == ["run_ended"])
        _ = source.events(of: .progress(.shutdownBegan), now: Self.at(4))
        #expect(source.events(of: .progress(.shutdown(.servicesStopping(["api"]))), now: Self.at(4)).isEmpty)
    }

    @Test("An order is an order the first time, and a retransmission when the retransmit timer sent it")
    func ordersAndRetransmissions() {
        var source = CoordinatorEventSource()
        let stop = CoordinatorStateMachine.Action.send(
            .stop(timeout: .seconds(10), drain: .seconds(2), exit: true), to: Self.api)
        #expect(
            source.events(of: stop, now: Self.at(1)) == [
                CoordinatorEvent(at: Self.at(1), .ordered(.stop, Self.api, timeout: .seconds(10), drain: .seconds(2)))
            ])
        #expect(
            source.events(of: stop, retransmitting: true, now: Self.at(2)) == [
                CoordinatorEvent(at: Self.at(2), .orderRetransmitted(Self.api))
            ])
        #expect(
            source.events(of: .send(.kill(exit: true), to: Self.api), now: Self.at(3)).map(\.name) == ["kill_ordered"])
    }

    @Test("Waves end when the next begins or the run ends, each with its length; the run begins with its first wave")
    func wavesAndRuns() {
        var source = CoordinatorEventSource()
        let first = source.events(
            of: .progress(.startup(.waveStarted(number: 1, of: 2, services: ["database"]))), now: Self.at(1))
        #expect(
            first == [
                CoordinatorEvent(at: Self.at(1), .runBegan(.startup, operation: nil)),
                CoordinatorEvent(at: Self.at(1), .waveBegan(.startup, number: 1, total: 2, services: ["database"])),
            ])
        let second = source.events(
            of: .progress(.startup(.waveStarted(number: 2, of: 2, services: ["api"]))), now: Self.at(4))
        #expect(
            second == [
                CoordinatorEvent(at: Self.at(4), .waveEnded(.startup, number: 1, after: .seconds(3))),
                CoordinatorEvent(at: Self.at(4), .waveBegan(.startup, number: 2, total: 2, services: ["api"])),
            ])
        let end = source.events(
            of: .progress(.startupComplete(after: .seconds(9), waitingForAgents: .seconds(3))), now: Self.at(6))
        #expect(
            end == [
                CoordinatorEvent(at: Self.at(6), .waveEnded(.startup, number: 2, after: .seconds(2))),
                CoordinatorEvent(
                    at: Self.at(6),
                    .runEnded(.startup, operation: nil, after: .seconds(5), result: "complete", exitCode: nil)),
            ], "from the first wave, not the coordinator's start")
    }

    @Test("The fleet's shutdown begins at its announcement and ends with the report, carrying its exit code")
    func shutdownRun() {
        var source = CoordinatorEventSource()
        #expect(
            source.events(of: .progress(.shutdownBegan), now: Self.at(10)) == [
                CoordinatorEvent(at: Self.at(10), .runBegan(.shutdown, operation: nil))
            ])
        #expect(
            source.events(of: .progress(.shutdown(.waveStarted(number: 1, of: 1, services: ["api"]))), now: Self.at(10))
                .map(\.name) == ["wave_began"], "the run is under way already")
        #expect(
            source.events(
                of: .progress(.shutdown(.serviceFinished("api", .timedOut, after: .seconds(12)))), now: Self.at(22))
                == [CoordinatorEvent(at: Self.at(22), .serviceStopped("api", .timedOut, after: .seconds(12)))])
        let report = ShutdownReport(
            entries: [ShutdownReport.Entry(service: "api", wave: 1, outcome: .timedOut, duration: .seconds(12))],
            total: .seconds(12), termination: .completed, criticalPath: ["api"])
        #expect(
            source.events(of: .finish(report), now: Self.at(22)) == [
                CoordinatorEvent(at: Self.at(22), .waveEnded(.shutdown, number: 1, after: .seconds(12))),
                CoordinatorEvent(
                    at: Self.at(22),
                    .runEnded(.shutdown, operation: nil, after: .seconds(12), result: "completed", exitCode: 1)),
            ])
    }

    @Test("An operation's runs carry its name; a shutdown during a startup ends the startup as interrupted")
    func operationsAndInterruptions() {
        var source = CoordinatorEventSource()
        let restart = Operation(kind: .restart, service: "api")
        #expect(source.events(of: .progress(.operationBegan(restart)), now: Self.at(1)).isEmpty)
        let stop = source.events(
            of: .progress(.shutdown(.waveStarted(number: 1, of: 1, services: ["api"]))), now: Self.at(1))
        #expect(stop.first == CoordinatorEvent(at: Self.at(1), .runBegan(.shutdown, operation: "restart api")))
        let stopped = source.events(
            of: .progress(
                .operationStopped(
                    restart,
                    ShutdownReport(entries: [], total: .seconds(2), termination: .completed, criticalPath: []))),
            now: Self.at(3))
        #expect(stopped.map(\.name) == ["wave_ended", "run_ended"])
        _ = source.events(
            of: .progress(.startup(.waveStarted(number: 1, of: 1, services: ["api"]))), now: Self.at(3))
        let interrupted = source.events(of: .progress(.shutdownBegan), now: Self.at(4))
        #expect(
            interrupted == [
                CoordinatorEvent(at: Self.at(4), .waveEnded(.startup, number: 1, after: .seconds(1))),
                CoordinatorEvent(
                    at: Self.at(4),
                    .runEnded(
                        .startup, operation: "restart api", after: .seconds(1), result: "interrupted", exitCode: nil)),
                CoordinatorEvent(at: Self.at(4), .runBegan(.shutdown, operation: nil)),
            ])
    }
}
