import QuiesceCore

/// The dependency graph drawn as SVG by Quiesce itself, with no Graphviz: one column per startup
/// wave, left to right, each service a box naming its stop budget and shutdown wave, arrows from a
/// dependency to its dependents, and the shutdown's critical path in red.
public enum GraphDrawing {
    /// Where each box and arrow goes.
    struct Layout {
        struct Node {
            var name: String
            var x: Double
            var y: Double
            var width: Double
            var critical: Bool
            var detail: String
        }

        struct Edge {
            var from: String
            var to: String
            var critical: Bool
        }

        var nodes: [String: Node]
        /// In the configuration's order.
        var order: [String]
        var edges: [Edge]
        var columns: [(x: Double, title: String)]
        var width: Double
        var height: Double
    }

    static let nodeHeight = 40.0
    static let rowGap = 24.0
    static let columnGap = 80.0
    static let margin = 24.0
    static let top = 56.0

    static func layout(_ graph: ServiceGraph) -> Layout {
        let plan = Plan(graph: graph)
        let critical = Set(plan.shutdownCriticalPath)
        let shutdownWave = plan.shutdownWaveIndex()
        var nodes: [String: Layout.Node] = [:]
        var columns: [(x: Double, title: String)] = []
        var x = margin
        var tallest = 0
        for (index, wave) in plan.startupWaves.enumerated() {
            let details = wave.map { name in
                "stop \(graph[name].stopBudget.configurationText) · shutdown wave \((shutdownWave[name] ?? 0) + 1)"
            }
            let width =
                (zip(wave, details).map { max(SVGText.width(of: $0, size: 14), SVGText.width(of: $1, size: 10)) }
                    .max() ?? 0) + 20
            for (row, (name, detail)) in zip(wave, details).enumerated() {
                nodes[name] = Layout.Node(
                    name: name, x: x, y: top + Double(row) * (nodeHeight + rowGap), width: width,
                    critical: critical.contains(name), detail: detail)
            }
            columns.append((x, "startup wave \(index + 1)"))
            tallest = max(tallest, wave.count)
            x += width + columnGap
        }
        let edges = GraphExport.edges(of: graph).map { dependency, dependent in
            Layout.Edge(
                from: dependency, to: dependent,
                critical: GraphExport.isCriticalEdge(from: dependency, to: dependent, path: plan.shutdownCriticalPath))
        }
        let height = top + Double(tallest) * (nodeHeight + rowGap) + 40
        return Layout(
            nodes: nodes, order: graph.names, edges: edges, columns: columns,
            width: max(x - columnGap + margin, 360), height: height)
    }

    /// The drawing, a self-contained SVG document.
    public static func svg(_ graph: ServiceGraph) -> String {
        let layout = layout(graph)
        let n = SVGText.number
        var svg = SVGText.header(
            width: layout.width, height: layout.height, title: "Quiesce dependency graph",
            style: """
                .node rect { fill: #eef3fb; stroke: #4a6fa5; stroke-width: 1.5; }
                .node.critical rect { fill: #fdecea; stroke: #d62728; stroke-width: 3; }
                .name { font-size: 14px; fill: #1a1a1a; }
                .detail { font-size: 10px; fill: #555555; }
                .column { font-size: 12px; fill: #555555; font-weight: bold; }
                .edge { fill: none; stroke: #8a8a8a; stroke-width: 1.5; }
                .edge.critical { stroke: #d62728; stroke-width: 3; }
                .legend { font-size: 11px; fill: #555555; }
                """)
        svg += """
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" \
            orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#8a8a8a"/></marker>\
            <marker id="arrow-critical" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" \
            orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#d62728"/></marker></defs>

            """
        for column in layout.columns {
            svg += "<text class=\"column\" x=\"\(n(column.x))\" y=\"\(n(top - 16))\">\(column.title)</text>\n"
        }
        for edge in layout.edges {
            guard let from = layout.nodes[edge.from], let to = layout.nodes[edge.to] else { continue }
            let x1 = from.x + from.width
            let y1 = from.y + nodeHeight / 2
            let x2 = to.x
            let y2 = to.y + nodeHeight / 2
            let bend = (x2 - x1) / 2
            svg += """
                <path class="edge\(edge.critical ? " critical" : "")" data-from="\(SVGText.escaped(edge.from))" \
                data-to="\(SVGText.escaped(edge.to))" d="M \(n(x1)) \(n(y1)) C \(n(x1 + bend)) \(n(y1)), \
                \(n(x2 - bend)) \(n(y2)), \(n(x2)) \(n(y2))" marker-end="url(#\(edge.critical ? "arrow-critical" : "arrow"))"/>

                """
        }
        for name in layout.order {
            guard let node = layout.nodes[name] else { continue }
            svg += """
                <g class="node\(node.critical ? " critical" : "")" data-service="\(SVGText.escaped(name))">\
                <rect x="\(n(node.x))" y="\(n(node.y))" width="\(n(node.width))" height="\(n(nodeHeight))" rx="6"/>\
                <text class="name" x="\(n(node.x + 10))" y="\(n(node.y + 17))">\(SVGText.escaped(name))</text>\
                <text class="detail" x="\(n(node.x + 10))" y="\(n(node.y + 32))">\(SVGText.escaped(node.detail))</text></g>

                """
        }
        svg += """
            <text class="legend" x="\(n(margin))" y="\(n(layout.height - 14))">arrows: starts before, stops after; \
            red: the shutdown's critical path</text>
            </svg>

            """
        return svg
    }
}
