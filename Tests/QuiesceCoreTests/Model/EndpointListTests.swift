import QuiesceCore
import Testing

@Suite("Lists of coordinator endpoints")
struct EndpointListTests {
    @Test("One endpoint is a list of one")
    func one() {
        #expect(EndpointList.parse("tcp://127.0.0.1:7700") == .success(["tcp://127.0.0.1:7700"]))
    }

    @Test("Several endpoints keep their order; blanks around them are ignored")
    func several() {
        #expect(
            EndpointList.parse("tcp://b:7700, tcp://a:7700 ,ipc:///run/q.sock")
                == .success(["tcp://b:7700", "tcp://a:7700", "ipc:///run/q.sock"]))
    }

    @Test(
        "A bad list is named with the fix",
        arguments: [
            ("tcp://a:7700,,tcp://b:7700", "has an empty endpoint; separate endpoints with single commas"),
            ("tcp://a:7700,", "has an empty endpoint"),
            ("tcp://a:7700,b:7700", "\"b:7700\" is no endpoint: it has no scheme; write tcp://b:7700"),
            ("tcp://a:7700,tcp://a:7700", "\"tcp://a:7700\" is given twice; name each coordinator once"),
        ])
    func malformed(text: String, expected: String) throws {
        guard case .failure(let problem) = EndpointList.parse(text) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(problem.description.contains(expected), "\(problem)")
    }
}
