import QuiesceCore
import Testing

/// Orders are sent again, with backoff, until the agent answers.
@Suite("Coordinator state machine: retransmission")
struct RetransmissionTests {
    typealias Coordinator = CoordinatorStateMachine
    let dbPID: Int32 = 7

    @Test("A start order is repeated after 1, 2, 4, then every 8 s until the agent answers")
    func startRepeatedUntilAnswered() throws {
        var coordinator = Coordinator(
            configuration: Configuration(graph: try ServiceGraph(validating: [ServiceSpec(name: "db")])), now: .zero)
        let start = Coordinator.Order.start(readiness: nil, restart: nil)
        let registered = try coordinator.agentRegistered("db", host: "h", now: .zero).get()
        #expect(registered.contains(.send(start, to: "db")))
        #expect(registered.contains(.scheduleTimer(.retransmit("db"), at: .after(.seconds(1)))))
        var now = Timestamp.after(.seconds(1))
        for delay in [2, 4, 8, 8] {
            #expect(
                coordinator.timerFired(.retransmit("db"), now: now) == [
                    .send(start, to: "db"), .scheduleTimer(.retransmit("db"), at: now + .seconds(Int64(delay))),
                ])
            now = now + .seconds(Int64(delay))
        }
        #expect(coordinator.serviceStarted("db", pid: dbPID, now: now) == [.cancelTimer(.retransmit("db"))])
        #expect(coordinator.timerFired(.retransmit("db"), now: now) == [], "answered: not sent again")
    }

    @Test("A stop order is repeated until the agent's report, and not to a lost agent")
    func stopRepeatedUntilReported() throws {
        var coordinator = Coordinator(
            configuration: Configuration(graph: try ServiceGraph(validating: [ServiceSpec(name: "db")])), now: .zero)
        #expect(
            try coordinator.agentRegistered("db", host: "h", now: .zero).get()
                == CoordinatorFixtures.connected("db", host: "h", now: .zero) + [
                    .progress(.startup(.waveStarted(number: 1, of: 1, services: ["db"])))
                ] + CoordinatorFixtures.startOrdered("db", now: .zero) + [
                    .scheduleTimer(.startup(.startDeadline("db")), at: .after(.seconds(30)))
                ])
        #expect(
            coordinator.serviceReady("db", now: .zero) == [
                .cancelTimer(.retransmit("db")),
                .cancelTimer(.startup(.startDeadline("db"))),
                .progress(.startup(.serviceReady("db", after: .zero))),
                .progress(.startupComplete(after: .zero, waitingForAgents: .zero)),
            ])
        let stop = Coordinator.Order.stop(timeout: .seconds(10), drain: .zero, exit: true)
        #expect(
            coordinator.shutdownRequested(now: .zero).contains(
                .scheduleTimer(.retransmit("db"), at: .after(.seconds(1)))))
        #expect(coordinator.timerFired(.retransmit("db"), now: .after(.seconds(1))).first == .send(stop, to: "db"))
        #expect(coordinator.agentLost("db", now: .after(.seconds(2))).first == .cancelTimer(.retransmit("db")))
        #expect(coordinator.timerFired(.retransmit("db"), now: .after(.seconds(3))) == [])
    }
}
