import ArgumentParser
import QuiesceCore
import QuiesceDiagrams

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract:
            "Print the dependency graph as DOT, Mermaid or SVG: waves as ranks, the shutdown critical path marked.",
        discussion: """
            DOT renders with Graphviz (quiesce graph --config FILE | dot -Tpng -o graph.png), Mermaid in \
            GitHub's Markdown; SVG is drawn by quiesce itself, no Graphviz needed. Arrows go from a \
            dependency to its dependents: it starts before them and stops after them. No network.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case dot, mermaid, svg
    }

    @OptionGroup(title: "Fleet") var fleetFile: FleetFileOptions

    @Option(name: .long, help: "dot, mermaid or svg.")
    var format: Format = .dot

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var output: String?

    func run() throws {
        let graph = try fleetFile.load().graph
        let text =
            switch format {
            case .dot: GraphExport.dot(graph)
            case .mermaid: GraphExport.mermaid(graph)
            case .svg: GraphDrawing.svg(graph)
            }
        try OutputFile.write(text, to: output, command: "graph")
    }
}
