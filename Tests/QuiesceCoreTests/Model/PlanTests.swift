import QuiesceCore
import Testing

@Suite("Startup and shutdown plan")
struct PlanTests {
    @Test("The seed graph starts its leaves first and stops api first")
    func seedGraph() throws {
        let plan = Plan(graph: try Fixtures.seedGraph())
        #expect(plan.startupWaves == [["cache", "database"], ["api"]])
        #expect(plan.shutdownWaves == [["api"], ["cache", "database"]])
        #expect(plan.startupWaveIndex() == ["cache": 0, "database": 0, "api": 1])
        #expect(plan.shutdownWaveIndex() == ["api": 0, "cache": 1, "database": 1])
    }

    @Test("A diamond has three waves each way")
    func diamond() throws {
        let graph = try ServiceGraph(validating: [
            ServiceSpec(name: "top", dependencies: ["right", "left"]),
            ServiceSpec(name: "right", dependencies: ["base"]),
            ServiceSpec(name: "left", dependencies: ["base"]),
            ServiceSpec(name: "base"),
        ])
        let plan = Plan(graph: graph)
        #expect(plan.startupWaves == [["base"], ["left", "right"], ["top"]])
        #expect(plan.shutdownWaves == [["top"], ["left", "right"], ["base"]])
    }

    @Test("A chain has one service per wave")
    func chain() throws {
        let plan = Plan(graph: try ServiceGraph(validating: Fixtures.chain(4)))
        #expect(plan.startupWaves == [["s0"], ["s1"], ["s2"], ["s3"]])
        #expect(plan.shutdownWaves == [["s3"], ["s2"], ["s1"], ["s0"]])
    }

    @Test("Shutdown waves are reverse levels, not the startup waves reversed")
    func shutdownLevels() throws {
        // metrics stands alone: it starts with the leaves but stops with api, since nothing depends on it.
        // edge depends on api directly and on database, so database waits for both.
        let graph = try ServiceGraph(
            validating: Fixtures.seedServices + [
                ServiceSpec(name: "metrics"),
                ServiceSpec(name: "edge", dependencies: ["api", "database"]),
            ])
        let plan = Plan(graph: graph)
        #expect(plan.startupWaves == [["cache", "database", "metrics"], ["api"], ["edge"]])
        #expect(plan.shutdownWaves == [["edge", "metrics"], ["api"], ["cache", "database"]])
    }

    @Test("The critical path is the slowest service of each wave, the worst case the sum of their timeouts")
    func criticalPath() throws {
        let graph = try ServiceGraph(validating: [
            ServiceSpec(name: "database", stopTimeout: .seconds(20), startTimeout: .seconds(45)),
            ServiceSpec(name: "cache", stopTimeout: .seconds(25), startTimeout: .seconds(20)),
            ServiceSpec(
                name: "api", dependencies: ["database", "cache"], stopTimeout: .seconds(5), startTimeout: .seconds(30)),
        ])
        let plan = Plan(graph: graph)
        #expect(plan.startupCriticalPath == ["database", "api"])
        #expect(plan.startupWorstCase == .seconds(75))
        #expect(plan.shutdownCriticalPath == ["api", "cache"])
        #expect(plan.shutdownWorstCase == .seconds(30))
    }

    @Test("Equal timeouts put the first name on the critical path")
    func criticalPathTie() throws {
        let plan = Plan(graph: try Fixtures.seedGraph())
        // cache and database both take 30 s to start; database takes 20 s to stop, cache 10 s.
        #expect(plan.startupCriticalPath == ["cache", "api"])
        #expect(plan.startupWorstCase == .seconds(60))
        #expect(plan.shutdownCriticalPath == ["api", "database"])
        #expect(plan.shutdownWorstCase == .seconds(30))
    }

    @Test("A chain of 5000 services validates and plans without recursion")
    func deepChain() throws {
        // Declared from the top of the chain down, the order least favourable to a naive walk.
        let graph = try ServiceGraph(validating: Fixtures.chain(5000).reversed())
        let plan = Plan(graph: graph)
        #expect(plan.startupWaves.count == 5000)
        #expect(plan.startupWaves.first == ["s0"])
        #expect(plan.startupWaves.last == ["s4999"])
        #expect(plan.shutdownWaves.first == ["s4999"])
        #expect(plan.shutdownWaves.last == ["s0"])
        #expect(plan.startupWorstCase == .seconds(30 * 5000))
        #expect(plan.shutdownCriticalPath.count == 5000)
    }

    @Test("A cycle through 5000 services is reported as one path, without recursion")
    func bigCycle() {
        let problems = Fixtures.problems(Fixtures.chain(5000, closed: true))
        #expect(problems.count == 1)
        guard case .cycle(let path, _) = problems.first else {
            Issue.record("expected a cycle, got \(problems)")
            return
        }
        #expect(path.count == 5001)
        #expect(path.first == "s0")
        #expect(path.last == "s0")
        #expect(Set(path).count == 5000)
        #expect(Array(path.prefix(3)) == ["s0", "s4999", "s4998"])
    }

    @Test("Two separate cycles are both reported, alongside other problems")
    func separateCycles() {
        let problems = Fixtures.problems([
            ServiceSpec(name: "a", dependencies: ["b"], line: 1),
            ServiceSpec(name: "b", dependencies: ["a"], line: 2),
            ServiceSpec(name: "c", dependencies: ["d", "c"], line: 3),
            ServiceSpec(name: "d", dependencies: ["c"], line: 4),
        ])
        #expect(
            problems == [
                .selfDependency(service: "c", line: 3),
                .cycle(["a", "b", "a"], line: 1),
                .cycle(["c", "d", "c"], line: 3),
            ])
    }

    @Test("The graph lists dependencies in declaration order and dependents by name")
    func graphQueries() throws {
        let graph = try Fixtures.seedGraph()
        #expect(graph.contains("cache"))
        #expect(!graph.contains("queue"))
        #expect(graph.dependencies(of: "api") == ["database", "cache"])
        #expect(graph.dependents(of: "cache") == ["api"])
        #expect(graph.dependents(of: "api") == [])
    }
}

@Suite("Eager worst cases")
struct EagerPlanTests {
    /// Two chains: `a1` depends on `a2`, `b1` on `b2`; a1 and b2 are slow to stop, a2 and b1 quick.
    static let uneven = [
        ServiceSpec(name: "a2", stopTimeout: .seconds(1), startTimeout: .seconds(2)),
        ServiceSpec(name: "a1", dependencies: ["a2"], stopTimeout: .seconds(10), startTimeout: .seconds(5)),
        ServiceSpec(name: "b2", stopTimeout: .seconds(10), startTimeout: .seconds(5)),
        ServiceSpec(name: "b1", dependencies: ["b2"], stopTimeout: .seconds(1), startTimeout: .seconds(2)),
    ]

    @Test("Waves wait for the slowest of each wave; eager, for the longest chain")
    func unevenChains() throws {
        let plan = Plan(graph: try ServiceGraph(validating: Self.uneven))
        #expect(plan.shutdownWorstCase == .seconds(20))
        #expect(plan.eagerShutdownWorstCase == .seconds(11))
        #expect(plan.eagerShutdownCriticalPath == ["a1", "a2"])
        #expect(plan.shutdownWorstCase(.eager) == .seconds(11))
        #expect(plan.shutdownCriticalPath(.waves) == plan.shutdownCriticalPath)
        #expect(plan.startupWorstCase == .seconds(10))
        #expect(plan.eagerStartupWorstCase == .seconds(7))
        #expect(plan.eagerStartupCriticalPath == ["a2", "a1"])
    }

    @Test("On the seed graph both agree: its waves are its critical path")
    func seedGraph() throws {
        let plan = Plan(graph: try Fixtures.seedGraph())
        #expect(plan.eagerShutdownWorstCase == plan.shutdownWorstCase)
        #expect(plan.eagerShutdownCriticalPath == ["api", "database"])
        #expect(plan.eagerStartupWorstCase == .seconds(60))
    }

    @Test("The longest chain counts drains, and a long chain beats a wide wave")
    func drainsAndDepth() throws {
        var drained = ServiceSpec(name: "front", dependencies: ["s3"], stopTimeout: .seconds(1))
        drained.drain = .seconds(4)
        let graph = try ServiceGraph(validating: Fixtures.chain(4) + [drained])
        let plan = Plan(graph: graph)
        #expect(plan.eagerShutdownCriticalPath == ["front", "s3", "s2", "s1", "s0"])
        #expect(plan.eagerShutdownWorstCase == .seconds(45))
    }
}
