import QuiesceCore
import Testing

/// The coordinator's heartbeat: a timer of its own, from the start on, that tells every registered
/// agent the coordinator is alive.
@Suite("Coordinator state machine: heartbeats")
struct HeartbeatTests {
    typealias Coordinator = CoordinatorStateMachine

    @Test("The heartbeat timer is scheduled at the start, one heartbeat_interval on")
    func scheduledAtStart() throws {
        var configuration = Configuration(graph: try Fixtures.seedGraph())
        let coordinator = Coordinator(configuration: configuration, now: .zero)
        #expect(coordinator.start(now: .after(.seconds(3))) == [.scheduleTimer(.heartbeat, at: .after(.seconds(4)))])

        configuration.coordinator.heartbeatInterval = .milliseconds(250)
        let quicker = Coordinator(configuration: configuration, now: .zero)
        #expect(quicker.start(now: .zero) == [.scheduleTimer(.heartbeat, at: .after(.milliseconds(250)))])
    }

    @Test("With no agent registered, the heartbeat only re-arms itself")
    func nobodyToTell() throws {
        var coordinator = Coordinator(configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero)
        #expect(
            coordinator.timerFired(.heartbeat, now: .after(.seconds(1))) == [
                .scheduleTimer(.heartbeat, at: .after(.seconds(2)))
            ])
    }

    @Test("Each heartbeat goes to every registered agent, in declaration order, and re-arms the timer")
    func everyRegisteredAgent() throws {
        var coordinator = Coordinator(configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero)
        #expect(
            try coordinator.agentRegistered("api", host: "h", now: .zero).get() == [
                .progress(.agentConnected("api", host: "h")),
                .scheduleTimer(.suspect("api"), at: .after(.seconds(2))),
                .scheduleTimer(.lost("api"), at: .after(.seconds(5))),
            ])
        #expect(
            try coordinator.agentRegistered("cache", host: "h", now: .zero).get() == [
                .progress(.agentConnected("cache", host: "h")),
                .scheduleTimer(.suspect("cache"), at: .after(.seconds(2))),
                .scheduleTimer(.lost("cache"), at: .after(.seconds(5))),
            ])
        #expect(
            coordinator.timerFired(.heartbeat, now: .after(.seconds(1))) == [
                .scheduleTimer(.heartbeat, at: .after(.seconds(2))),
                .sendHeartbeat(to: "cache"),
                .sendHeartbeat(to: "api"),
            ])
    }

    @Test("An agent whose connection closed is still sent heartbeats until it is lost; a lost one is not")
    func unreachableThenLost() throws {
        var coordinator = Coordinator(configuration: Configuration(graph: try Fixtures.seedGraph()), now: .zero)
        #expect(
            try coordinator.agentRegistered("database", host: "h", now: .zero).get() == [
                .progress(.agentConnected("database", host: "h")),
                .scheduleTimer(.suspect("database"), at: .after(.seconds(2))),
                .scheduleTimer(.lost("database"), at: .after(.seconds(5))),
            ])
        coordinator.connectionClosed("database", now: .after(.seconds(1)))
        #expect(
            coordinator.timerFired(.heartbeat, now: .after(.seconds(1))) == [
                .scheduleTimer(.heartbeat, at: .after(.seconds(2))),
                .sendHeartbeat(to: "database"),
            ])
        #expect(
            coordinator.timerFired(.lost("database"), now: .after(.seconds(5))) == [
                .cancelTimer(.suspect("database")),
                .cancelTimer(.lost("database")),
                .progress(.agentLost("database")),
            ])
        #expect(
            coordinator.timerFired(.heartbeat, now: .after(.seconds(5))) == [
                .scheduleTimer(.heartbeat, at: .after(.seconds(6)))
            ])
    }
}
