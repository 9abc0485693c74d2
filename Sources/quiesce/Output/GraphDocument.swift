import QuiesceCore
import QuiesceDiagrams

/// `quiesce graph --json`: the graph the drawings show, as data. Its nodes in the configuration's
/// order, its edges from a dependency to its dependent (the drawings' arrows), both phases' waves, the
/// shutdown's critical path (the one drawn in red), and the drawing written with `-o FILE`, if any.
struct GraphDocument: Encodable {
    struct Node: Encodable {
        var service: String
        var dependsOn: [String]
        /// 1 for the first wave, as the drawings and `plan` number them.
        var startupWave: Int
        var shutdownWave: Int
        var stopTimeoutSeconds: Double
        var drainSeconds: Double
        /// The drain and the stop timeout: what the drawings label `stop`.
        var stopBudgetSeconds: Double
        var startTimeoutSeconds: Double
        var instances: Int
        /// Whether the service is on the shutdown's critical path.
        var critical: Bool
    }

    /// An arrow: `from` starts before `to` and stops after it.
    struct Edge: Encodable {
        var from: String
        var to: String
        /// Whether it joins two consecutive services of the shutdown's critical path.
        var critical: Bool
    }

    /// The drawing written to `-o FILE`.
    struct Drawing: Encodable {
        var path: String
        /// `dot`, `mermaid` or `svg`.
        var format: String
    }

    var nodes: [Node]
    var edges: [Edge]
    var startupWaves: [[String]]
    var shutdownWaves: [[String]]
    var shutdownCriticalPath: [String]
    var file: Drawing?

    init(_ graph: ServiceGraph, file: Drawing?) {
        let plan = Plan(graph: graph)
        let startupWave = plan.startupWaveIndex()
        let shutdownWave = plan.shutdownWaveIndex()
        let critical = Set(plan.shutdownCriticalPath)
        nodes = graph.services.map { spec in
            Node(
                service: spec.name, dependsOn: spec.dependencies, startupWave: (startupWave[spec.name] ?? 0) + 1,
                shutdownWave: (shutdownWave[spec.name] ?? 0) + 1, stopTimeoutSeconds: spec.stopTimeout.seconds,
                drainSeconds: spec.drain.seconds, stopBudgetSeconds: spec.stopBudget.seconds,
                startTimeoutSeconds: spec.startTimeout.seconds, instances: spec.instances,
                critical: critical.contains(spec.name))
        }
        edges = GraphExport.edges(of: graph).map { dependency, dependent in
            Edge(
                from: dependency, to: dependent,
                critical: GraphExport.isCriticalEdge(from: dependency, to: dependent, path: plan.shutdownCriticalPath))
        }
        startupWaves = plan.startupWaves
        shutdownWaves = plan.shutdownWaves
        shutdownCriticalPath = plan.shutdownCriticalPath
        self.file = file
    }
}
