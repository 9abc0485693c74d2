import QuiesceCore
import Testing

@Suite("What validate warns of in a valid configuration")
struct ConfigurationReviewTests {
    @Test("A deadline shorter than the shutdown's worst case, and 0s timeouts, are warned about")
    func warnings() throws {
        var coordinator = CoordinatorSettings()
        coordinator.shutdownTimeout = .seconds(15)
        let graph = try ServiceGraph(validating: [
            ServiceSpec(name: "database", stopTimeout: .seconds(20), startTimeout: .seconds(30), line: 3),
            ServiceSpec(name: "api", dependencies: ["database"], stopTimeout: .zero, startTimeout: .zero, line: 5),
        ])
        let warnings = ConfigurationReview.warnings(for: Configuration(coordinator: coordinator, graph: graph))
        #expect(warnings.map(\.line) == [nil, 5, 5])
        #expect(
            warnings[0].message
                == "coordinator.shutdown_timeout 15s is shorter than the shutdown's worst case, 20s (api (0s) -> database (20s)): what is still stopping at the deadline is killed; raise it to at least 20s"
        )
        #expect(warnings[1].message.hasPrefix("service \"api\": stop_timeout 0s kills it"))
        #expect(warnings[2].message.hasPrefix("service \"api\": start_timeout 0s fails its start"))
    }

    @Test("The deadline is weighed against the worst case of the configuration's scheduling")
    func schedulingsWorstCase() throws {
        // Two chains of 10 s + 1 s: waves take 20 s at worst, eager 11 s.
        let graph = try ServiceGraph(validating: EagerPlanTests.uneven)
        var configuration = Configuration(graph: graph)
        configuration.coordinator.shutdownTimeout = .seconds(15)
        #expect(
            ConfigurationReview.warnings(for: configuration).map(\.message).first?.contains("worst case, 20s") == true)
        configuration.coordinator.scheduling = .eager
        #expect(ConfigurationReview.warnings(for: configuration).isEmpty)
        configuration.coordinator.shutdownTimeout = .seconds(10)
        #expect(
            ConfigurationReview.warnings(for: configuration).map(\.message).first?.contains(
                "worst case, 11s (a1 (10s) -> a2 (1s))") == true)
    }

    @Test("A configuration within its deadline and with real timeouts has no warning")
    func none() throws {
        let graph = try ServiceGraph(validating: [ServiceSpec(name: "api", stopTimeout: .seconds(10))])
        #expect(ConfigurationReview.warnings(for: Configuration(graph: graph)).isEmpty)
    }

    @Test("The file's own warnings come first")
    func filesWarnings() throws {
        var configuration = Configuration(graph: try ServiceGraph(validating: [ServiceSpec(name: "api")]))
        configuration.warnings = [ConfigurationIssue(line: 2, message: "restart: always")]
        #expect(ConfigurationReview.warnings(for: configuration) == configuration.warnings)
    }
}
