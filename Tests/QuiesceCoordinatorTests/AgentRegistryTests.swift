import QuiesceCore
import Testing

@testable import QuiesceCoordinator

@Suite("Agent registry")
struct AgentRegistryTests {
    private let first: [UInt8] = [0, 1]
    private let second: [UInt8] = [0, 2]

    @Test("A registration binds the service and its routing id both ways")
    func bindBothWays() {
        var registry = AgentRegistry()
        #expect(registry.instance(for: first) == nil)
        #expect(registry.routingID(for: "api") == nil)

        registry.bind("api", to: first)
        #expect(registry.instance(for: first) == "api")
        #expect(registry.routingID(for: "api") == first)
    }

    @Test("The newest registration of a service wins, and its previous routing id speaks for nobody")
    func newestRegistrationWins() {
        var registry = AgentRegistry()
        registry.bind("api", to: first)
        registry.bind("api", to: second)
        #expect(registry.routingID(for: "api") == second)
        #expect(registry.instance(for: second) == "api")
        #expect(registry.instance(for: first) == nil)
    }

    @Test("Services are bound independently")
    func independentServices() {
        var registry = AgentRegistry()
        registry.bind("api", to: first)
        registry.bind("database", to: second)
        #expect(registry.instance(for: first) == "api")
        #expect(registry.instance(for: second) == "database")
        #expect(registry.routingID(for: "api") == first)
        #expect(registry.routingID(for: "database") == second)
    }

    @Test("A message speaks for the connected agent that registered its connection, in this coordinator's epoch")
    func connectedAgent() {
        var registry = AgentRegistry()
        registry.bind("api", to: first)
        let connected: Set<InstanceID> = ["api"]
        func agent(at routingID: [UInt8], stamped epoch: UInt64?, connected: Set<InstanceID> = connected) -> InstanceID?
        {
            registry.connectedAgent(at: routingID, stamped: epoch, currentEpoch: 7, isConnected: connected.contains)
        }

        #expect(agent(at: first, stamped: 7) == "api")
        // Sent before the welcome told the agent the epoch.
        #expect(agent(at: first, stamped: nil) == "api")
        // Stamped for an earlier start of the coordinator.
        #expect(agent(at: first, stamped: 6) == nil)
        // The agent is no longer connected (lost, or its key revoked).
        #expect(agent(at: first, stamped: 7, connected: []) == nil)
        // No agent registered on this connection.
        #expect(agent(at: second, stamped: 7) == nil)

        registry.bind("api", to: second)
        #expect(agent(at: first, stamped: 7) == nil)
        #expect(agent(at: second, stamped: 7) == "api")
    }
}
