import ArgumentParser
import QuiesceCommandLine
import QuiesceCore
import QuiesceDiagrams

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract:
            "Print the dependency graph as DOT, Mermaid or SVG: waves as ranks, the shutdown critical path marked.",
        discussion: """
            DOT renders with Graphviz (quiesce graph --config FILE | dot -Tpng -o graph.png), Mermaid in \
            GitHub's Markdown. SVG is drawn by Graphviz's dot when it is on PATH, else by quiesce itself \
            (--renderer auto, the default); --renderer graphviz or builtin chooses. Arrows go from a \
            dependency to its dependents: it starts before them and stops after them. No network.

            With --json, stdout is one JSON document: the nodes (waves, timeouts, whether on the \
            critical path), the edges, the waves and the shutdown's critical path; the drawing is then \
            written only with -o FILE, which the document names.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case dot, mermaid, svg
    }

    @OptionGroup(title: "Fleet") var fleetFile: FleetFileOptions

    @Option(name: .long, help: "dot, mermaid or svg (default: dot).")
    var format: Format?

    @Option(
        help: ArgumentHelp(
            "Who draws --format svg: auto (Graphviz's dot when on PATH, else quiesce), graphviz or builtin (default: auto).",
            valueName: "renderer"))
    var renderer: GraphRenderer?

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var output: String?

    @Flag(
        help:
            "Print the graph as one JSON document (nodes, edges, waves, critical path); the drawing goes only to -o FILE."
    )
    var json = false

    func validate() throws {
        if renderer != nil, format != .svg {
            throw ValidationError("--renderer chooses who draws SVG; add --format svg, or leave --renderer out")
        }
        if json, output == nil, format != nil {
            throw ValidationError(
                "with --json stdout holds the graph's JSON document: give -o FILE for the drawing, or leave --format out"
            )
        }
    }

    func run() throws {
        let graph = try fleetFile.load().graph
        let format = format ?? .dot
        if !json || output != nil {
            let text =
                switch format {
                case .dot: GraphExport.dot(graph)
                case .mermaid: GraphExport.mermaid(graph)
                case .svg: try svg(graph)
                }
            try OutputFile.write(text, to: output, command: "graph")
        }
        if json {
            let drawing = output.map { GraphDocument.Drawing(path: $0, format: format.rawValue) }
            printLine(JSONText.encode(GraphDocument(graph, file: drawing)))
        }
    }

    /// The SVG, by the renderer chosen; a Graphviz that fails under `auto` leaves it to quiesce, with a warning.
    private func svg(_ graph: ServiceGraph) throws -> String {
        let chosen = renderer ?? .auto
        let drawer: GraphRenderer.Drawer
        do {
            drawer = try chosen.drawer(dot: Graphviz.dot())
        } catch {
            printError("graph: \(error)")
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
        guard case .graphviz(let dot) = drawer else { return GraphDrawing.svg(graph) }
        do {
            return try Graphviz.svg(GraphExport.dot(graph), dot: dot)
        } catch {
            guard chosen == .auto else {
                printError("graph: \(error); give --renderer builtin to draw it without Graphviz")
                throw ExitCode(CoordinatorExitCode.invalidConfiguration)
            }
            printError("graph: warning: \(error); drawn by quiesce instead (--renderer builtin)")
            return GraphDrawing.svg(graph)
        }
    }
}
