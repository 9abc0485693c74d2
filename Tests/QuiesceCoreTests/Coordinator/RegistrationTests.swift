import QuiesceCore
import Testing

/// Which agents may register, and what the coordinator shows while it waits for them.
@Suite("Coordinator state machine: registration")
struct RegistrationTests {
    typealias Coordinator = CoordinatorStateMachine

    let configuration: Configuration

    init() throws {
        configuration = try CoordinatorFixtures.seedConfiguration()
    }

    @Test("An agent for a service not in the configuration is refused with a suggestion")
    func unknownService() {
        var coordinator = Coordinator(configuration: configuration, now: .zero)
        let result = coordinator.agentRegistered("databse", host: "h1", now: .zero)
        #expect(result == .failure(.unknownService("databse", suggestion: "database")))
        #expect(
            Coordinator.RegistrationRefusal.unknownService("databse", suggestion: "database").description
                == #"service "databse" is not in the coordinator's configuration (did you mean "database"?)"#)
        #expect(
            coordinator.agentRegistered("payments", host: "h1", now: .zero)
                == .failure(.unknownService("payments", suggestion: nil)))
        #expect(!coordinator.isConnected("databse"))
    }

    @Test("A second agent for a connected service is refused")
    func duplicateAgent() throws {
        var coordinator = Coordinator(configuration: configuration, now: .zero)
        #expect(
            withoutRetransmission(try CoordinatorFixtures.register("database", on: &coordinator, now: .zero)) == [
                .progress(.agentConnected("database", host: "host-database")),
                .scheduleTimer(.suspect("database"), at: .after(.seconds(2))),
                .scheduleTimer(.lost("database"), at: .after(.seconds(5))),
            ])
        #expect(coordinator.isConnected("database"))
        #expect(
            coordinator.agentRegistered("database", host: "other", now: .after(.seconds(1)))
                == .failure(.alreadyConnected("database")))
        #expect(coordinator.status(now: .after(.seconds(1))).first?.host == "host-database")
    }

    @Test("While the startup waits for agents, the phase names them")
    func phaseNamesMissingAgents() throws {
        var coordinator = Coordinator(configuration: configuration, now: .zero)
        #expect(coordinator.phaseName == "starting (waiting for agents: cache, database)")
        #expect(
            try CoordinatorFixtures.register("cache", on: &coordinator, now: .zero)
                == CoordinatorFixtures.connected("cache", host: "host-cache", now: .zero))
        #expect(coordinator.phaseName == "starting (waiting for agents: database)")
        #expect(
            try CoordinatorFixtures.register("database", on: &coordinator, now: .zero)
                == CoordinatorFixtures.connected("database", host: "host-database", now: .zero)
                + CoordinatorFixtures.firstWaveStarted(now: .zero))
        #expect(coordinator.phaseName == "starting")
    }
}
