import Testing

@testable import QuiesceCoordinator

@Suite("Agent registry")
struct AgentRegistryTests {
    private let first: [UInt8] = [0, 1]
    private let second: [UInt8] = [0, 2]

    @Test("A registration binds the service and its routing id both ways")
    func bindBothWays() {
        var registry = AgentRegistry()
        #expect(registry.service(for: first) == nil)
        #expect(registry.routingID(for: "api") == nil)
        #expect(registry.services.isEmpty)

        registry.bind("api", to: first)
        #expect(registry.service(for: first) == "api")
        #expect(registry.routingID(for: "api") == first)
        #expect(registry.services == ["api"])
    }

    @Test("The newest registration of a service wins, and its previous routing id speaks for nobody")
    func newestRegistrationWins() {
        var registry = AgentRegistry()
        registry.bind("api", to: first)
        registry.bind("api", to: second)
        #expect(registry.routingID(for: "api") == second)
        #expect(registry.service(for: second) == "api")
        #expect(registry.service(for: first) == nil)
        #expect(registry.services == ["api"])
    }

    @Test("Services are bound independently")
    func independentServices() {
        var registry = AgentRegistry()
        registry.bind("api", to: first)
        registry.bind("database", to: second)
        #expect(registry.service(for: first) == "api")
        #expect(registry.service(for: second) == "database")
        #expect(Set(registry.services) == ["api", "database"])
    }
}
