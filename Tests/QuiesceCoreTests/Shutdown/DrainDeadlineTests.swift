import QuiesceCore
import Testing

/// The drain a service is given before its stop, as the plan and the shutdown's deadlines count it.
@Suite("Drain in the coordinator's plan and deadlines")
struct DrainDeadlineTests {
    @Test("The stop deadline and the worst case include the drain")
    func deadlineIncludesDrain() throws {
        var api = ServiceSpec(name: "api", stopTimeout: .seconds(3))
        api.drain = .seconds(5)
        let graph = try ServiceGraph(validating: [api])
        let plan = Plan(graph: graph)
        #expect(plan.shutdownWorstCase == .seconds(8))
        var shutdown = ShutdownStateMachine(
            graph: graph, plan: plan, shutdownTimeout: .seconds(60), ackGrace: .seconds(2))
        #expect(
            shutdown.start(conditions: ["api": .connected], now: .zero).contains(
                .scheduleTimer(.stopDeadline("api"), at: .after(.seconds(10)))))
    }
}
