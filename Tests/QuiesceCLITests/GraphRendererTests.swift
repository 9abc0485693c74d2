import ArgumentParser
import Testing

@testable import quiesce

@Suite("Who draws the graph's SVG")
struct GraphRendererTests {
    @Test(
        "auto takes Graphviz when dot is found and quiesce otherwise; builtin never takes Graphviz",
        arguments: [
            (GraphRenderer.auto, "/usr/bin/dot", GraphRenderer.Drawer.graphviz(dot: "/usr/bin/dot")),
            (.auto, nil, .builtin),
            (.graphviz, "/opt/graphviz/bin/dot", .graphviz(dot: "/opt/graphviz/bin/dot")),
            (.builtin, "/usr/bin/dot", .builtin),
            (.builtin, nil, .builtin),
        ] as [(GraphRenderer, String?, GraphRenderer.Drawer)])
    func drawer(renderer: GraphRenderer, dot: String?, expected: GraphRenderer.Drawer) throws {
        #expect(try renderer.drawer(dot: dot) == expected)
    }

    @Test("graphviz without dot is refused, saying what to install and what to give instead")
    func graphvizMissing() {
        #expect(throws: GraphRenderer.Missing.self) { try GraphRenderer.graphviz.drawer(dot: nil) }
        #expect(
            GraphRenderer.Missing().description
                == "--renderer graphviz needs Graphviz's dot on PATH, and there is none; install Graphviz (apt-get install graphviz) or give --renderer builtin"
        )
    }

    @Test("dot is looked for in PATH's directories in order; an empty entry is the current directory")
    func locate() {
        let installed: Set = ["/opt/bin/dot", "/usr/bin/dot", "./dot"]
        #expect(
            GraphRenderer.locate("dot", path: "/usr/local/bin:/opt/bin:/usr/bin", isExecutable: installed.contains)
                == "/opt/bin/dot")
        #expect(
            GraphRenderer.locate("dot", path: "/usr/local/bin::/usr/bin", isExecutable: installed.contains) == "./dot")
        #expect(GraphRenderer.locate("dot", path: "/usr/local/bin", isExecutable: installed.contains) == nil)
        #expect(GraphRenderer.locate("dot", path: nil, isExecutable: installed.contains) == nil)
    }

    @Test("--renderer defaults to auto, and is a usage error with a format other than svg")
    func options() throws {
        #expect(try GraphCommand.parse(["-c", "fleet.yaml", "--format", "svg"]).renderer == nil)
        #expect(
            try GraphCommand.parse(["-c", "fleet.yaml", "--format", "svg", "--renderer", "builtin"]).renderer
                == .builtin)
        #expect(throws: (any Error).self) { try GraphCommand.parse(["-c", "fleet.yaml", "--renderer", "graphviz"]) }
        #expect(throws: (any Error).self) {
            try GraphCommand.parse(["-c", "fleet.yaml", "--format", "svg", "--renderer", "cairo"])
        }
    }
}
