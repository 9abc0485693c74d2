import QuiesceCore
import Testing

@Suite("Graph validation")
struct GraphValidationTests {
    @Test("Duplicate names given directly to the graph are each reported at their line")
    func duplicateServiceInGraph() {
        let problems = Fixtures.problems([
            ServiceSpec(name: "database", line: 2), ServiceSpec(name: "database", line: 4),
        ])
        #expect(problems == [.duplicateName("database", line: 4)])
        #expect(
            problems.first?.description
                == #"service "database" is declared more than once; give each service a unique name"#)
    }
}
