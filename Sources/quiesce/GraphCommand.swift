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
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case dot, mermaid, svg
    }

    @OptionGroup(title: "Fleet") var fleetFile: FleetFileOptions

    @Option(name: .long, help: "dot, mermaid or svg.")
    var format: Format = .dot

    @Option(
        help: ArgumentHelp(
            "Who draws --format svg: auto (Graphviz's dot when on PATH, else quiesce), graphviz or builtin (default: auto).",
            valueName: "renderer"))
    var renderer: GraphRenderer?

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var output: String?

    func validate() throws {
        if renderer != nil, format != .svg {
            throw ValidationError("--renderer chooses who draws SVG; add --format svg, or leave --renderer out")
        }
    }

    func run() throws {
        let graph = try fleetFile.load().graph
        let text =
            switch format {
            case .dot: GraphExport.dot(graph)
            case .mermaid: GraphExport.mermaid(graph)
            case .svg: try svg(graph)
            }
        try OutputFile.write(text, to: output, command: "graph")
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
