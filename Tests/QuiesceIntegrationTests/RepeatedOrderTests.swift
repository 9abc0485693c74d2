import Foundation
import QuiesceCore
import QuiesceWire
import Testing

/// A real agent and its real child, ordered by a stand-in coordinator that repeats its orders as a
/// retransmitting coordinator would: a repeated order is answered again and never acted on twice.
@Suite("Repeated orders", .serialized)
struct RepeatedOrderTests {
    @Test(
        "A repeated start spawns the service once; a kill after the stop report gets the cached report and signals nothing"
    )
    func repeatedOrdersHaveNoSecondEffect() async throws {
        let fleet = try Fleet(config: "services: { app: {} }", secure: false)
        defer { fleet.tearDown() }
        let coordinator = try StandInCoordinator(endpoint: fleet.endpoint)
        defer { coordinator.close() }
        let agent = try fleet.startAgent("app", stopDelay: 0.3)

        _ = try await coordinator.awaitRegistration()
        try coordinator.order(.welcome(heartbeatInterval: .seconds(1), lostAfter: .seconds(5)), id: 100)
        try coordinator.order(.start(readiness: nil, restart: nil), id: 101)
        try coordinator.order(.start(readiness: nil, restart: nil), id: 101)
        await fleet.waitUntilStarted(["app"])
        try coordinator.order(.start(readiness: nil, restart: nil), id: 101)

        try coordinator.order(.stop(timeout: .seconds(5), drain: .zero, exit: true), id: 102)
        try coordinator.order(.stop(timeout: .seconds(5), drain: .zero, exit: true), id: 102)
        let report = try await coordinator.nextReport()
        #expect(report.message == .stopped(.stopped(.exited(0))))
        try coordinator.order(.kill(exit: true), id: 103)
        var answer = try await coordinator.nextReport()
        while answer.replyTo != 103 { answer = try await coordinator.nextReport() }
        #expect(answer.id == report.id, "the cached report, not a new one")
        #expect(answer.message == report.message)
        try coordinator.send(Envelope(id: 104, replyTo: report.id, message: .ack))

        #expect(await fleet.waitForExit(agent) == 0)
        let events = fleet.timeline().filter { $0.service == "app" }.map(\.event)
        #expect(events.filter { $0 == "started" }.count == 1, "the repeated start spawned the service again")
        #expect(events.filter { $0 == "stop-begin" }.count == 1, "the service was signalled more than once")
    }
}
