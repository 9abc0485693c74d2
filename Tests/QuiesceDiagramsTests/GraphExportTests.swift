import QuiesceCore
import Testing

@testable import QuiesceDiagrams

@Suite("Graph export")
struct GraphExportTests {
    /// The README's graph: api depends on database (stop 20s) and cache.
    static let graph = try! ServiceGraph(validating: [
        ServiceSpec(name: "database", dependencies: [], stopTimeout: .seconds(20), startTimeout: .seconds(30)),
        ServiceSpec(name: "cache", dependencies: [], stopTimeout: .seconds(10), startTimeout: .seconds(30)),
        ServiceSpec(
            name: "api", dependencies: ["database", "cache"], stopTimeout: .seconds(10), startTimeout: .seconds(30)),
    ])

    @Test("DOT: one rank per startup wave, arrows from a dependency to its dependents, the critical path in red")
    func dot() {
        let dot = GraphExport.dot(Self.graph)
        #expect(dot.hasPrefix("digraph quiesce {"))
        #expect(
            dot.contains(
                "  subgraph wave_1 {\n    rank=same;\n    \"cache\" [label=\"cache\\nstop 10s\"];\n    \"database\" [label=\"database\\nstop 20s\", color=red, penwidth=2];\n  }"
            ))
        #expect(dot.contains("\"api\" [label=\"api\\nstop 10s\", color=red, penwidth=2];"))
        #expect(dot.contains("  \"database\" -> \"api\" [color=red, penwidth=2];"))
        #expect(dot.contains("  \"cache\" -> \"api\";"))
    }

    @Test("Mermaid: a subgraph per wave, ids of letters and digits, the critical path's class and link styled")
    func mermaid() {
        let text = GraphExport.mermaid(Self.graph)
        #expect(text.hasPrefix("flowchart LR\n  subgraph wave1[\"startup wave 1\"]\n    s1[\"cache<br/>stop 10s\"]"))
        #expect(text.contains("  s0 --> s2\n  s1 --> s2\n"))
        #expect(text.contains("  class s2,s0 critical\n"))
        #expect(text.contains("  linkStyle 0 stroke:#d62728,stroke-width:3px\n"))
    }

    @Test("SVG: one box per service in its wave's column, one arrow per dependency, the critical ones marked")
    func svg() throws {
        let svg = try #require(SVGStructure(GraphDrawing.svg(Self.graph)))
        let nodes = svg.elements(named: "g", classed: "node")
        #expect(nodes.map { $0.attributes["data-service"]! } == ["database", "cache", "api"])
        #expect(
            svg.elements(named: "g", classed: "critical").map { $0.attributes["data-service"]! } == ["database", "api"])
        let edges = svg.elements(named: "path", classed: "edge")
        #expect(edges.count == 2)
        #expect(
            edges.filter { ($0.attributes["class"] ?? "").contains("critical") }.map { $0.attributes["data-from"]! }
                == ["database"])
        let layout = GraphDrawing.layout(Self.graph)
        #expect(layout.nodes["cache"]!.x == layout.nodes["database"]!.x)
        #expect(layout.nodes["api"]!.x > layout.nodes["database"]!.x + layout.nodes["database"]!.width)
    }
}
