import QuiesceCore

/// The dependency graph as text other tools draw: Graphviz's DOT and Mermaid. Services are ranked by
/// startup wave, arrows go from a dependency to its dependents (it starts before them and stops
/// after them), and the shutdown's critical path is marked.
public enum GraphExport {
    /// DOT for `dot -Tsvg`: one rank per startup wave, the critical path in red.
    public static func dot(_ graph: ServiceGraph) -> String {
        let plan = Plan(graph: graph)
        let critical = Set(plan.shutdownCriticalPath)
        var lines = [
            "digraph quiesce {",
            "  rankdir=LR;",
            "  label=\"arrows: starts before, stops after; red: shutdown critical path\";",
            "  labelloc=b;",
            "  node [shape=box, style=rounded, fontname=\"Helvetica\"];",
        ]
        for (index, wave) in plan.startupWaves.enumerated() {
            lines.append("  subgraph wave_\(index + 1) {")
            lines.append("    rank=same;")
            for name in wave {
                let spec = graph[name]
                var attributes = ["label=\"\(dotText(name))\\nstop \(spec.stopBudget.configurationText)\""]
                if critical.contains(name) { attributes += ["color=red", "penwidth=2"] }
                lines.append("    \(quoted(name)) [\(attributes.joined(separator: ", "))];")
            }
            lines.append("  }")
        }
        for (dependency, dependent) in edges(of: graph) {
            let onPath = isCriticalEdge(from: dependency, to: dependent, path: plan.shutdownCriticalPath)
            lines.append("  \(quoted(dependency)) -> \(quoted(dependent))\(onPath ? " [color=red, penwidth=2]" : "");")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Mermaid flowchart for GitHub: one subgraph per startup wave, the critical path in red.
    public static func mermaid(_ graph: ServiceGraph) -> String {
        let plan = Plan(graph: graph)
        // Mermaid's own ids are kept to letters and digits; the names are labels.
        let ids = Dictionary(uniqueKeysWithValues: graph.names.enumerated().map { ($1, "s\($0)") })
        var lines = ["flowchart LR"]
        for (index, wave) in plan.startupWaves.enumerated() {
            lines.append("  subgraph wave\(index + 1)[\"startup wave \(index + 1)\"]")
            for name in wave {
                let label = mermaidText(name) + "<br/>stop \(graph[name].stopBudget.configurationText)"
                lines.append("    \(ids[name]!)[\"\(label)\"]")
            }
            lines.append("  end")
        }
        var criticalLinks: [Int] = []
        for (number, (dependency, dependent)) in edges(of: graph).enumerated() {
            lines.append("  \(ids[dependency]!) --> \(ids[dependent]!)")
            if isCriticalEdge(from: dependency, to: dependent, path: plan.shutdownCriticalPath) {
                criticalLinks.append(number)
            }
        }
        lines.append("  classDef critical stroke:#d62728,stroke-width:3px")
        lines.append("  class \(plan.shutdownCriticalPath.map { ids[$0]! }.joined(separator: ",")) critical")
        if !criticalLinks.isEmpty {
            lines.append(
                "  linkStyle \(criticalLinks.map(String.init).joined(separator: ",")) stroke:#d62728,stroke-width:3px")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every (dependency, dependent) pair, in the configuration's order: the drawings' arrows.
    public static func edges(of graph: ServiceGraph) -> [(String, String)] {
        graph.names.flatMap { name in graph.dependencies(of: name).map { ($0, name) } }
    }

    /// Whether the edge joins two consecutive services of the shutdown's critical path: the dependent
    /// stops in one wave and the dependency, which waits for it, in the next.
    public static func isCriticalEdge(from dependency: String, to dependent: String, path: [String]) -> Bool {
        zip(path, path.dropFirst()).contains { $0 == dependent && $1 == dependency }
    }

    private static func quoted(_ text: String) -> String {
        "\"" + dotText(text) + "\""
    }

    /// Text inside a DOT string: its quotes and backslashes escaped.
    private static func dotText(_ text: String) -> String {
        text.map { $0 == "\"" || $0 == "\\" ? "\\\($0)" : String($0) }.joined()
    }

    /// Text inside a Mermaid label: its quotes as Mermaid's entity, and what HTML reads as markup escaped.
    private static func mermaidText(_ text: String) -> String {
        text.map { character -> String in
            switch character {
            case "\"": "#quot;"
            case "<": "#lt;"
            case ">": "#gt;"
            default: String(character)
            }
        }.joined()
    }
}
